using System.Globalization;
using System.Text;

namespace ChatEngine.Templates.Runtime;

/// <summary>Python's str() and repr() of template values (what <c>{{ x }}</c> and the <c>string</c> filter print).</summary>
internal static class PyFormat
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        Markup m => m.Text,
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, value);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("None"); break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(FloatRepr(d)); break;
            case string s: AppendStringRepr(sb, s); break;
            case Markup m:
                sb.Append("Markup(");
                AppendStringRepr(sb, m.Text);
                sb.Append(')');
                break;
            case Undefined: sb.Append("Undefined"); break;
            case List<object?> list:
                sb.Append('[');
                AppendItems(sb, list);
                sb.Append(']');
                break;
            case PyTuple tuple:
                sb.Append('(');
                AppendItems(sb, tuple.Items);
                if (tuple.Items.Count == 1) sb.Append(',');
                sb.Append(')');
                break;
            case PyDict dict:
                sb.Append('{');
                var first = true;
                foreach (var pair in dict)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendRepr(sb, PyDict.Unkey(pair.Key));
                    sb.Append(": ");
                    AppendRepr(sb, pair.Value);
                }
                sb.Append('}');
                break;
            case Namespace ns:
                sb.Append("<Namespace {");
                var firstAttribute = true;
                foreach (var pair in ns.Attributes)
                {
                    if (!firstAttribute) sb.Append(", ");
                    firstAttribute = false;
                    AppendStringRepr(sb, pair.Key);
                    sb.Append(": ");
                    AppendRepr(sb, pair.Value);
                }
                sb.Append("}>");
                break;
            case NativeFunction f: sb.Append("<function ").Append(f.Name).Append('>'); break;
            case PyIterator iterator: sb.Append('<').Append(iterator.TypeName).Append(" object>"); break;
            default: sb.Append('<').Append(PyOps.TypeName(value)).Append(" object>"); break;
        }
    }

    private static void AppendItems(StringBuilder sb, IReadOnlyList<object?> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            AppendRepr(sb, items[i]);
        }
    }

    /// <summary>Python's repr of a str: single quotes unless the text has ' and no ", escapes for non-printables.</summary>
    private static void AppendStringRepr(StringBuilder sb, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        sb.Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            var v = rune.Value;
            if (v == quote || v == '\\') sb.Append('\\').Append((char)v);
            else if (v == '\n') sb.Append("\\n");
            else if (v == '\r') sb.Append("\\r");
            else if (v == '\t') sb.Append("\\t");
            else if (v < 0x20 || v == 0x7f) sb.Append("\\x").Append(v.ToString("x2", CultureInfo.InvariantCulture));
            else if (IsPrintable(rune)) sb.Append(rune.ToString());
            else if (v <= 0xff) sb.Append("\\x").Append(v.ToString("x2", CultureInfo.InvariantCulture));
            else if (v <= 0xffff) sb.Append("\\u").Append(v.ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append("\\U").Append(v.ToString("x8", CultureInfo.InvariantCulture));
        }
        sb.Append(quote);
    }

    private static bool IsPrintable(Rune rune)
    {
        if (rune.Value == ' ') return true;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>Python float repr: shortest round-trip digits, exponent form below 1e-4 and from 1e16.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative) shortest = shortest[1..];
        var exponentAt = shortest.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt >= 0 ? shortest[..exponentAt] : shortest;
        var exponent = exponentAt >= 0 ? int.Parse(shortest[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot >= 0 ? mantissa.Remove(dot, 1) : mantissa;
        var pointPosition = (dot >= 0 ? dot : mantissa.Length) + exponent;
        var leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0') leadingZeros++;
        digits = digits[leadingZeros..];
        pointPosition -= leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
            pointPosition = 1;
        }

        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        var scientificExponent = pointPosition - 1;
        if (scientificExponent < -4 || scientificExponent >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(scientificExponent < 0 ? '-' : '+')
              .Append(Math.Abs(scientificExponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointPosition <= 0)
        {
            sb.Append("0.").Append('0', -pointPosition).Append(digits);
        }
        else if (pointPosition >= digits.Length)
        {
            sb.Append(digits).Append('0', pointPosition - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
        }
        return sb.ToString();
    }
}
