using System.Globalization;
using System.Text;

namespace ChatEngine.Templates.Lexing;

/// <summary>Decodes the backslash escapes of a string literal as Python's unicode-escape codec does (jinja2 uses it).</summary>
internal static class PyStringEscapes
{
    public static string Decode(string raw, Func<string, Exception> error)
    {
        if (!raw.Contains('\\', StringComparison.Ordinal)) return raw;
        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\' || i + 1 >= raw.Length)
            {
                sb.Append(c);
                continue;
            }
            var e = raw[++i];
            switch (e)
            {
                case '\n': break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x': AppendCodePoint(sb, ReadHex(raw, ref i, 2, error), error); break;
                case 'u': AppendCodePoint(sb, ReadHex(raw, ref i, 4, error), error); break;
                case 'U': AppendCodePoint(sb, ReadHex(raw, ref i, 8, error), error); break;
                case >= '0' and <= '7':
                    var value = e - '0';
                    for (var n = 0; n < 2 && i + 1 < raw.Length && raw[i + 1] is >= '0' and <= '7'; n++) value = value * 8 + (raw[++i] - '0');
                    AppendCodePoint(sb, value, error);
                    break;
                case 'N': throw error("\\N{...} escapes in string literals are not supported");
                default: sb.Append('\\').Append(e); break;
            }
        }
        return sb.ToString();
    }

    private static int ReadHex(string raw, ref int i, int digits, Func<string, Exception> error)
    {
        if (i + digits >= raw.Length
            || !int.TryParse(raw.AsSpan(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw error($"truncated \\{raw[i]} escape in string literal");
        }
        i += digits;
        return value;
    }

    private static void AppendCodePoint(StringBuilder sb, int codePoint, Func<string, Exception> error)
    {
        if (codePoint is >= 0xD800 and <= 0xDFFF) sb.Append((char)codePoint);
        else if (codePoint is >= 0 and <= 0x10FFFF) sb.Append(char.ConvertFromUtf32(codePoint));
        else throw error("escape in string literal is beyond U+10FFFF");
    }
}
