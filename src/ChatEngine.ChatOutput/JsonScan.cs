using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChatEngine.ChatOutput;

/// <summary>Finds where JSON values end in text that may stop anywhere, without building them.</summary>
internal static class JsonScan
{
    private static readonly JsonSerializerOptions KeepUnicode = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Quote(string value) => JsonSerializer.Serialize(value, KeepUnicode);

    public static bool IsValid(string json) => KindOf(json) is not null;

    public static bool IsObject(string json) => KindOf(json) == JsonValueKind.Object;

    private static JsonValueKind? KindOf(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Scans one value starting at p (leading whitespace allowed); End is just past it.</summary>
    public static (Scan Result, int End) Value(string s, int p)
    {
        p = TextScan.SkipSpace(s, p);
        if (p >= s.Length) return (Scan.Partial, s.Length);
        var depth = 0;
        var c = s[p];
        if (c == '"') return String(s, p);
        if (c != '{' && c != '[') return Literal(s, p);
        for (; p < s.Length; p++)
        {
            c = s[p];
            if (c == '"')
            {
                var (result, end) = String(s, p);
                if (result != Scan.Complete) return (result, end);
                p = end - 1;
            }
            else if (c is '{' or '[') depth++;
            else if (c is '}' or ']')
            {
                if (--depth == 0) return (Scan.Complete, p + 1);
            }
        }
        return (Scan.Partial, s.Length);
    }

    public static (Scan Result, int End) String(string s, int p)
    {
        for (var i = p + 1; i < s.Length; i++)
        {
            if (s[i] == '\\') i++;
            else if (s[i] == '"') return (Scan.Complete, i + 1);
            else if (s[i] == '\n') return (Scan.Fail, i);
        }
        return (Scan.Partial, s.Length);
    }

    private static (Scan Result, int End) Literal(string s, int p)
    {
        var start = p;
        while (p < s.Length && (char.IsLetterOrDigit(s[p]) || s[p] is '-' or '+' or '.')) p++;
        if (p == start) return (Scan.Fail, p);
        return p == s.Length ? (Scan.Partial, p) : (Scan.Complete, p);
    }

    public static string DecodeString(string s, int start, int end) => JsonSerializer.Deserialize<string>(s.AsSpan(start, end - start))!;

    /// <summary>One member of a partly generated object: ValueEnd is -1 while the value is still open.</summary>
    public sealed record Member(string Key, int ValueStart, int ValueEnd);

    /// <summary>Scans an object at p ('{'), listing its members as far as the text goes.</summary>
    public static (Scan Result, List<Member> Members, int End) Object(string s, int p)
    {
        var members = new List<Member>();
        p = TextScan.SkipSpace(s, p);
        if (p >= s.Length) return (Scan.Partial, members, s.Length);
        if (s[p] != '{') return (Scan.Fail, members, p);
        p++;
        while (true)
        {
            p = TextScan.SkipSpace(s, p);
            if (p >= s.Length) return (Scan.Partial, members, s.Length);
            if (s[p] == '}') return (Scan.Complete, members, p + 1);
            if (members.Count > 0)
            {
                if (s[p] != ',') return (Scan.Fail, members, p);
                p = TextScan.SkipSpace(s, p + 1);
                if (p >= s.Length) return (Scan.Partial, members, s.Length);
            }
            if (s[p] != '"') return (Scan.Fail, members, p);
            var (keyResult, keyEnd) = String(s, p);
            if (keyResult != Scan.Complete) return (keyResult, members, keyEnd);
            var key = DecodeString(s, p, keyEnd);
            p = TextScan.SkipSpace(s, keyEnd);
            if (p >= s.Length) return (Scan.Partial, members, s.Length);
            if (s[p] != ':') return (Scan.Fail, members, p);
            var valueStart = TextScan.SkipSpace(s, p + 1);
            var (valueResult, valueEnd) = Value(s, valueStart);
            if (valueResult == Scan.Fail) return (Scan.Fail, members, valueEnd);
            if (valueResult == Scan.Partial)
            {
                members.Add(new Member(key, valueStart, -1));
                return (Scan.Partial, members, s.Length);
            }
            members.Add(new Member(key, valueStart, valueEnd));
            p = valueEnd;
        }
    }
}
