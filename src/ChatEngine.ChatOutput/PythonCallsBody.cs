using System.Text;

namespace ChatEngine.ChatOutput;

/// <summary>
/// Calls written as a Python list of calls with keyword arguments: <c>[get_weather(city='Paris'), search_web(query="x", max_results=3)]</c>
/// (LFM2.5). Python literals (quoted strings, numbers, True/False/None, lists, dicts) become JSON; a call's arguments
/// are known once its parenthesis closes, so a streamed call gets them in one fragment.
/// </summary>
internal sealed record PythonCallsBody : CallBody
{
    public override (Scan Result, int End, List<CallSnapshot> Calls) Parse(string s, int p, CallSyntax syntax, ChatOutputOptions options)
    {
        var calls = new List<CallSnapshot>();
        var (result, end) = TextScan.Sequence(s, p, '[', ']', at =>
        {
            var (nameResult, name, nameEnd) = ReadName(s, at, "(");
            if (nameResult != Scan.Complete) return (nameResult, s.Length);
            var json = new StringBuilder("{");
            var (argsResult, argsEnd) = TextScan.Sequence(s, nameEnd, '(', ')', key => KeywordArgument(s, key, json), () => json.Append(", "));
            calls.Add(new CallSnapshot(at, name, null, argsResult == Scan.Complete ? json.Append('}').ToString() : "", argsResult == Scan.Complete));
            return (argsResult, argsEnd);
        }, allowEmpty: false);
        return (result, result == Scan.Partial ? s.Length : end, result == Scan.Fail ? [] : calls);
    }

    private static (Scan Result, int End) KeywordArgument(string s, int p, StringBuilder json)
    {
        var equals = s.IndexOf('=', p);
        if (equals < 0) return (Scan.Partial, s.Length);
        var key = s[p..equals].Trim();
        if (key.Length == 0 || !key.All(IsNameChar)) return (Scan.Fail, p);
        json.Append(JsonScan.Quote(key)).Append(": ");
        return Value(s, equals + 1, json);
    }

    private static (Scan Result, int End) Value(string s, int p, StringBuilder json)
    {
        p = TextScan.SkipSpace(s, p);
        if (p >= s.Length) return (Scan.Partial, p);
        switch (s[p])
        {
            case '\'' or '"':
                return String(s, p, json);
            case '[':
                json.Append('[');
                return Closed(TextScan.Sequence(s, p, '[', ']', at => Value(s, at, json), () => json.Append(", ")), json, ']');
            case '{':
                json.Append('{');
                return Closed(TextScan.Sequence(s, p, '{', '}', at => DictEntry(s, at, json), () => json.Append(", ")), json, '}');
            default:
                var stop = p;
                while (stop < s.Length && (char.IsLetterOrDigit(s[stop]) || s[stop] is '.' or '-' or '+' or '_')) stop++;
                if (stop == s.Length) return (Scan.Partial, stop);
                var literal = s[p..stop] switch
                {
                    "True" => "true",
                    "False" => "false",
                    "None" => "null",
                    var other => other,
                };
                if (literal.Length == 0 || !JsonScan.IsValid(literal)) return (Scan.Fail, p);
                json.Append(literal);
                return (Scan.Complete, stop);
        }
    }

    private static (Scan Result, int End) Closed((Scan Result, int End) scan, StringBuilder json, char close)
    {
        if (scan.Result == Scan.Complete) json.Append(close);
        return scan;
    }

    private static (Scan Result, int End) DictEntry(string s, int p, StringBuilder json)
    {
        var (result, end) = Value(s, p, json);
        if (result != Scan.Complete) return (result, end);
        end = TextScan.SkipSpace(s, end);
        if (end >= s.Length) return (Scan.Partial, end);
        if (s[end] != ':') return (Scan.Fail, end);
        json.Append(": ");
        return Value(s, end + 1, json);
    }

    private static (Scan Result, int End) String(string s, int p, StringBuilder json)
    {
        var quote = s[p];
        var text = new StringBuilder();
        for (var i = p + 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == quote)
            {
                json.Append(JsonScan.Quote(text.ToString()));
                return (Scan.Complete, i + 1);
            }
            if (c == '\\')
            {
                if (++i >= s.Length) break;
                text.Append(s[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var other => other });
            }
            else text.Append(c);
        }
        return (Scan.Partial, s.Length);
    }
}
