using System.Globalization;
using System.Text;

namespace ChatEngine.Templates.Runtime;

/// <summary>Python str semantics that differ from .NET's: whitespace set, split, strip, title, splitlines, code points.</summary>
internal static class PyText
{
    /// <summary>Python's str.isspace for one UTF-16 unit.</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);

    public static bool IsIdentifierPart(char c) => c == '_' || char.IsLetterOrDigit(c);

    public static bool HasSurrogates(string s)
    {
        foreach (var c in s)
        {
            if (char.IsSurrogate(c)) return true;
        }
        return false;
    }

    /// <summary>The string as Python sees it: one element per code point.</summary>
    public static List<string> CodePoints(string s)
    {
        var result = new List<string>(s.Length);
        if (!HasSurrogates(s))
        {
            foreach (var c in s) result.Add(c.ToString());
            return result;
        }
        for (var i = 0; i < s.Length; i++)
        {
            var pair = char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);
            result.Add(s.Substring(i, pair ? 2 : 1));
            if (pair) i++;
        }
        return result;
    }

    public static int Length(string s)
    {
        if (!HasSurrogates(s)) return s.Length;
        var count = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            count++;
        }
        return count;
    }

    public static string RStripWhitespace(string s)
    {
        var end = s.Length;
        while (end > 0 && IsWhitespace(s[end - 1])) end--;
        return s[..end];
    }

    public static string Strip(string s, string? chars, bool left = true, bool right = true)
    {
        Func<char, bool> strip = chars is null ? IsWhitespace : c => chars.Contains(c, StringComparison.Ordinal);
        var start = 0;
        var end = s.Length;
        if (left)
        {
            while (start < end && strip(s[start])) start++;
        }
        if (right)
        {
            while (end > start && strip(s[end - 1])) end--;
        }
        return s[start..end];
    }

    /// <summary>str.split(sep, maxsplit): with no separator, splits on runs of whitespace and drops empty pieces.</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        var parts = new List<object?>();
        if (separator is null)
        {
            var i = 0;
            while (true)
            {
                while (i < s.Length && IsWhitespace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && parts.Count == maxSplit)
                {
                    parts.Add(s[i..]);
                    break;
                }
                var start = i;
                while (i < s.Length && !IsWhitespace(s[i])) i++;
                parts.Add(s[start..i]);
            }
            return parts;
        }
        if (separator.Length == 0) throw TemplateRuntimeError.TypeError("ValueError: empty separator");
        var from = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var at = s.IndexOf(separator, from, StringComparison.Ordinal);
            if (at < 0) break;
            parts.Add(s[from..at]);
            from = at + separator.Length;
        }
        parts.Add(s[from..]);
        return parts;
    }

    /// <summary>str.rsplit(sep, maxsplit): like split but counting splits from the right.</summary>
    public static List<object?> RSplit(string s, string? separator, long maxSplit)
    {
        if (maxSplit < 0) return Split(s, separator, maxSplit);
        var parts = new List<object?>();
        if (separator is null)
        {
            var i = s.Length;
            while (true)
            {
                while (i > 0 && IsWhitespace(s[i - 1])) i--;
                if (i <= 0) break;
                if (parts.Count == maxSplit)
                {
                    parts.Add(s[..i]);
                    break;
                }
                var end = i;
                while (i > 0 && !IsWhitespace(s[i - 1])) i--;
                parts.Add(s[i..end]);
            }
            parts.Reverse();
            return parts;
        }
        if (separator.Length == 0) throw TemplateRuntimeError.TypeError("ValueError: empty separator");
        var to = s.Length;
        while (parts.Count < maxSplit)
        {
            var at = to == 0 ? -1 : s.LastIndexOf(separator, to - 1, StringComparison.Ordinal);
            if (at < 0) break;
            parts.Add(s[(at + separator.Length)..to]);
            to = at;
        }
        parts.Add(s[..to]);
        parts.Reverse();
        return parts;
    }

    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029';

    /// <summary>str.splitlines(keepends): Python's full set of line boundaries, \r\n counted once.</summary>
    public static List<string> SplitLines(string s, bool keepEnds = false)
    {
        var lines = new List<string>();
        var start = 0;
        var i = 0;
        while (i < s.Length)
        {
            if (!IsLineBreak(s[i]))
            {
                i++;
                continue;
            }
            var breakLength = s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
            lines.Add(keepEnds ? s[start..(i + breakLength)] : s[start..i]);
            i += breakLength;
            start = i;
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    /// <summary>Python str.title(): a cased letter after an uncased character starts a word.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            var cased = char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;
            sb.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }
        return sb.ToString();
    }

    /// <summary>Python str.capitalize(): first character upper case, the rest lower case.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Python's code-point ordering of strings (ordinal UTF-16 ordering differs only around surrogates).</summary>
    public static int CompareCodePoints(string a, string b)
    {
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var hasA = ea.MoveNext();
            var hasB = eb.MoveNext();
            if (!hasA || !hasB) return hasA.CompareTo(hasB);
            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0) return c;
        }
    }
}
