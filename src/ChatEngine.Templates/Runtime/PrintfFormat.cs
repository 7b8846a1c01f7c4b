using System.Globalization;
using System.Text;

namespace ChatEngine.Templates.Runtime;

/// <summary>Python's <c>"..." % args</c> for the common conversions (%s %r %d %i %f %%, optional width/precision).</summary>
internal static class PrintfFormat
{
    public static string Format(string format, object? args)
    {
        var values = args is PyTuple tuple ? tuple.Items : [args];
        var sb = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= format.Length) throw new TemplateRuntimeError("ValueError: incomplete format");
            var leftAlign = false;
            var zeroPad = false;
            for (; i < format.Length && format[i] is '-' or '0'; i++)
            {
                if (format[i] == '-') leftAlign = true;
                else zeroPad = true;
            }
            var width = ReadNumber(format, ref i);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadNumber(format, ref i) ?? 0;
            }
            if (i >= format.Length) throw new TemplateRuntimeError("ValueError: incomplete format");
            var conversion = format[i];
            if (conversion == '%')
            {
                sb.Append('%');
                continue;
            }
            if (next >= values.Count) throw new TemplateRuntimeError("TypeError: not enough arguments for format string");
            var value = values[next++];
            var text = conversion switch
            {
                's' => PyFormat.Str(value),
                'r' => PyFormat.Repr(value),
                'd' or 'i' => value is bool or long or double
                    ? ((long)Math.Truncate(Convert.ToDouble(value, CultureInfo.InvariantCulture))).ToString(CultureInfo.InvariantCulture)
                    : throw new TemplateRuntimeError($"TypeError: %{conversion} format: a real number is required, not {PyOps.TypeName(value)}"),
                'f' => value is bool or long or double
                    ? Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture)
                    : throw new TemplateRuntimeError($"TypeError: must be real number, not {PyOps.TypeName(value)}"),
                _ => throw new TemplateRuntimeError($"unsupported format conversion '%{conversion}'"),
            };
            if (conversion is 's' or 'r' && precision is { } p && p < text.Length) text = text[..p];
            if (width is { } w && text.Length < w)
            {
                var numeric = conversion is 'd' or 'i' or 'f';
                text = leftAlign ? text.PadRight(w)
                    : zeroPad && numeric && text.StartsWith('-') ? "-" + text[1..].PadLeft(w - 1, '0')
                    : text.PadLeft(w, zeroPad && numeric ? '0' : ' ');
            }
            sb.Append(text);
        }
        if (next < values.Count) throw new TemplateRuntimeError("TypeError: not all arguments converted during string formatting");
        return sb.ToString();
    }

    private static int? ReadNumber(string format, ref int i)
    {
        var start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
        return i > start ? int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
    }
}
