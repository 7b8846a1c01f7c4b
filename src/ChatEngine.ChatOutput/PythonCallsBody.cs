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
        p = TextScan.SkipSpace(s, p);
        if (p >= s.Length) return (Scan.Partial, s.Length, calls);
        if (s[p] != '[') return (Scan.Fail, p, calls);
        p++;
        while (true)
        {
            p = TextScan.SkipSpace(s, p);
            if (p >= s.Length) return (Scan.Partial, s.Length, calls);
            if (s[p] == ']' && calls.Count > 0) return (Scan.Complete, p + 1, calls);
            if (calls.Count > 0)
            {
                if (s[p] != ',') return (Scan.Fail, p, calls);
                p = TextScan.SkipSpace(s, p + 1);
            }
            var start = p;
            var (nameResult, name, nameEnd) = ReadName(s, p, "(");
            if (nameResult != Scan.Complete) return (nameResult, s.Length, nameResult == Scan.Fail ? [] : calls);
            var (argsResult, argsEnd, arguments) = Arguments(s, nameEnd + 1);
            if (argsResult == Scan.Fail) return (Scan.Fail, argsEnd, []);
            if (argsResult == Scan.Partial)
            {
                calls.Add(new CallSnapshot(start, name, null, "", false));
                return (Scan.Partial, s.Length, calls);
            }
            calls.Add(new CallSnapshot(start, name, null, arguments, true));
            p = argsEnd;
        }
    }

    private static (Scan Result, int End, string Json) Arguments(string s, int p)
    {
        var json = new StringBuilder("{");
        for (var first = true; ; first = false)
        {
            p = TextScan.SkipSpace(s, p);
            if (p >= s.Length) return (Scan.Partial, p, "");
            if (s[p] == ')') return (Scan.Complete, p + 1, json.Append('}').ToString());
            if (!first)
            {
                if (s[p] != ',') return (Scan.Fail, p, "");
                json.Append(", ");
                p = TextScan.SkipSpace(s, p + 1);
            }
            var equals = s.IndexOf('=', p);
            if (equals < 0) return (Scan.Partial, s.Length, "");
            var key = s[p..equals].Trim();
            if (key.Length == 0 || !key.All(IsNameChar)) return (Scan.Fail, p, "");
            json.Append(JsonScan.Quote(key)).Append(": ");
            var (result, end) = Value(s, equals + 1, json);
            if (result != Scan.Complete) return (result, end, "");
            p = end;
        }
    }

    private static (Scan Result, int End) Value(string s, int p, StringBuilder json)
    {
        p = TextScan.SkipSpace(s, p);
        if (p >= s.Length) return (Scan.Partial, p);
        switch (s[p])
        {
            case '\'' or '"':
                return String(s, p, json);
            case '[' or '{':
                var close = s[p] == '[' ? ']' : '}';
                json.Append(s[p]);
                p++;
                for (var first = true; ; first = false)
                {
                    p = TextScan.SkipSpace(s, p);
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
                    var (result, end) = Value(s, p, json);
                    if (result != Scan.Complete) return (result, end);
                    p = TextScan.SkipSpace(s, end);
                    if (close == '}')
                    {
                        if (p >= s.Length) return (Scan.Partial, p);
                        if (s[p] != ':') return (Scan.Fail, p);
                        json.Append(": ");
                        (result, end) = Value(s, p + 1, json);
                        if (result != Scan.Complete) return (result, end);
                        p = end;
                    }
                }
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
