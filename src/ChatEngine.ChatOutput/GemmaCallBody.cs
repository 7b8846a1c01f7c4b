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
            var closing = s.IndexOf(Quote, p + Quote.Length, StringComparison.Ordinal);
            if (closing < 0) return (Scan.Partial, s.Length);
            json.Append(JsonScan.Quote(s[(p + Quote.Length)..closing]));
            return (Scan.Complete, closing + Quote.Length);
        }
        if (Quote.AsSpan().StartsWith(s.AsSpan(p))) return (Scan.Partial, s.Length);
        if (s[p] is not ('{' or '[')) return Literal(s, p, json);
        var (open, close) = s[p] == '{' ? ('{', '}') : ('[', ']');
        json.Append(open);
        var (result, end) = TextScan.Sequence(s, p, open, close, at => open == '{' ? Member(s, at, json) : Value(s, at, json), () => json.Append(", "));
        if (result == Scan.Complete) json.Append(close);
        return (result, end);
    }

    private static (Scan Result, int End) Member(string s, int p, StringBuilder json)
    {
        var colon = s.IndexOf(':', p);
        if (colon < 0) return (Scan.Partial, s.Length);
        json.Append(JsonScan.Quote(s[p..colon].Replace(Quote, "", StringComparison.Ordinal))).Append(": ");
        return Value(s, colon + 1, json);
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
