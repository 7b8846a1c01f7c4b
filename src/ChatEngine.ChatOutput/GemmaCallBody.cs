using System.Text;

namespace ChatEngine.ChatOutput;

/// <summary>
/// Gemma 4's call: <c>call:NAME{key:VALUE,...}</c>, where a string is <c>&lt;|"|&gt;text&lt;|"|&gt;</c>, keys are bare, and
/// objects, lists, numbers and booleans are written as in JSON. The arguments are converted to JSON once the call's
/// braces close, so a streamed call gets them in one fragment.
/// </summary>
internal sealed record GemmaCallBody : CallBody
{
    private const string Quote = "<|\"|>";

    public override (Scan Result, int End, List<CallSnapshot> Calls) Parse(string s, int p, CallSyntax syntax, ChatOutputOptions options)
    {
        var start = p;
        var (nameResult, name, nameEnd) = ReadName(s, p, "{");
        if (nameResult != Scan.Complete) return (nameResult, s.Length, []);
        var json = new StringBuilder();
        var (result, end) = Value(s, nameEnd, json);
        return result switch
        {
            Scan.Complete => (Scan.Complete, end, [new CallSnapshot(start, name, null, json.ToString(), true)]),
            Scan.Partial => (Scan.Partial, s.Length, [new CallSnapshot(start, name, null, "", false)]),
            _ => (Scan.Fail, end, []),
        };
    }

    private static (Scan Result, int End) Value(string s, int p, StringBuilder json)
    {
        if (p >= s.Length) return (Scan.Partial, p);
        if (s.AsSpan(p).StartsWith(Quote, StringComparison.Ordinal))
        {
            var close = s.IndexOf(Quote, p + Quote.Length, StringComparison.Ordinal);
            if (close < 0) return (Scan.Partial, s.Length);
            json.Append(JsonScan.Quote(s[(p + Quote.Length)..close]));
            return (Scan.Complete, close + Quote.Length);
        }
        if (Quote.AsSpan().StartsWith(s.AsSpan(p))) return (Scan.Partial, s.Length);
        return s[p] switch
        {
            '{' => Container(s, p, json, '}', withKeys: true),
            '[' => Container(s, p, json, ']', withKeys: false),
            _ => Literal(s, p, json),
        };
    }

    private static (Scan Result, int End) Container(string s, int p, StringBuilder json, char close, bool withKeys)
    {
        json.Append(s[p]);
        p++;
        for (var first = true; ; first = false)
        {
            if (p >= s.Length) return (Scan.Partial, p);
            if (s[p] == close)
            {
                json.Append(close);
                return (Scan.Complete, p + 1);
            }
            if (!first)
            {
                if (s[p] != ',') return (Scan.Fail, p);
                json.Append(", ");
                p++;
            }
            if (withKeys)
            {
                var colon = s.IndexOf(':', p);
                if (colon < 0) return (Scan.Partial, s.Length);
                var key = s[p..colon].Replace(Quote, "", StringComparison.Ordinal);
                json.Append(JsonScan.Quote(key)).Append(": ");
                p = colon + 1;
            }
            var (result, end) = Value(s, p, json);
            if (result != Scan.Complete) return (result, end);
            p = end;
        }
    }

    private static (Scan Result, int End) Literal(string s, int p, StringBuilder json)
    {
        var end = p;
        while (end < s.Length && s[end] is not (',' or '}' or ']')) end++;
        if (end == s.Length) return (Scan.Partial, end);
        var text = s[p..end].Trim();
        if (text.Length == 0) return (Scan.Fail, p);
        json.Append(JsonScan.IsValid(text) ? text : JsonScan.Quote(text));
        return (Scan.Complete, end);
    }
}
