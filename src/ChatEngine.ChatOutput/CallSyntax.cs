namespace ChatEngine.ChatOutput;

/// <summary>
/// How a family writes its calls: an optional section around them, then per call an opening literal, a body and an
/// optional closing literal. Literals match with flexible whitespace (<see cref="TextScan.MatchLoose"/>).
/// <see cref="OnlyAtStart"/>: the call is recognised only as the very first thing in the output (Llama 3.x, generic JSON).
/// </summary>
internal sealed record CallSyntax(
    string? SectionStart, string? SectionEnd, string CallStart, CallBody Body, string? CallEnd, bool OnlyAtStart = false, string? TriggerText = null)
{
    /// <summary>The text whose appearance in the content may open a call.</summary>
    public string Trigger => TriggerText ?? TextScan.FirstWord(SectionStart ?? CallStart);
}

internal abstract record CallBody
{
    /// <summary>Parses calls from p (just after the call's opening literal); Partial when the text ends first.</summary>
    public abstract (Scan Result, int End, List<CallSnapshot> Calls) Parse(string s, int p, CallSyntax syntax, ChatOutputOptions options);

    protected static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or ':' or '/';

    /// <summary>A name (or id) runs up to the first of the terminators; Partial while none has appeared and it still looks like a name.</summary>
    protected static (Scan Result, string Value, int TerminatorAt) ReadName(string s, int p, params string?[] terminators)
    {
        var at = -1;
        foreach (var terminator in terminators)
        {
            if (terminator is null) continue;
            var i = s.IndexOf(TextScan.FirstWord(terminator), p, StringComparison.Ordinal);
            if (i >= 0 && (at < 0 || i < at)) at = i;
        }
        var end = at < 0
            ? s.Length - TextScan.PartialMarkerSuffix(s, p, terminators.OfType<string>().Select(TextScan.FirstWord))
            : at;
        var value = s[p..end].Trim();
        const int longestName = 128;
        if (value.Length > longestName || !value.All(IsNameChar)) return (Scan.Fail, value, p);
        if (at < 0) return (Scan.Partial, value, -1);
        return value.Length == 0 ? (Scan.Fail, value, p) : (Scan.Complete, value, at);
    }
}

/// <summary>
/// JSON objects with the name inside: <c>{"name": ..., "arguments": {...}}</c>, alone or in a list, or wrapped as the
/// generic format's <c>{"tool_calls": [...]}</c>. <see cref="WithId"/>: the family writes an <c>"id"</c> member (Mistral
/// Nemo after the arguments), so a streamed call's header waits for it or for the object's end. <see cref="NameAsKey"/>:
/// each object is <c>{"NAME": {...arguments}}</c> (Apertus).
/// </summary>
internal sealed record JsonObjectBody(bool List, bool Wrapped = false, bool WithId = false, bool NameAsKey = false) : CallBody
{
    private static readonly string[] NameKeys = ["name", "tool_name"];
    private static readonly string[] ArgumentKeys = ["arguments", "parameters"];

    public override (Scan Result, int End, List<CallSnapshot> Calls) Parse(string s, int p, CallSyntax syntax, ChatOutputOptions options)
    {
        if (!Wrapped) return List ? ParseList(s, p) : ParseObject(s, p);
        var (result, members, end) = JsonScan.Object(s, p);
        if (result == Scan.Fail || members.Count == 0) return (result == Scan.Partial ? Scan.Partial : Scan.Fail, end, []);
        var inner = members[0];
        var (innerResult, innerEnd, calls) = inner.Key switch
        {
            "tool_calls" => ParseList(s, inner.ValueStart),
            "tool_call" => ParseObject(s, inner.ValueStart),
            _ => (Scan.Fail, p, new List<CallSnapshot>()),
        };
        if (innerResult == Scan.Fail || members.Count > 1) return (Scan.Fail, innerEnd, []);
        return (innerResult == Scan.Partial ? Scan.Partial : result, end, calls);
    }

    private (Scan Result, int End, List<CallSnapshot> Calls) ParseList(string s, int p)
    {
        var calls = new List<CallSnapshot>();
        var (result, end) = TextScan.Sequence(s, p, '[', ']', at =>
        {
            var (objectResult, objectEnd, call) = ParseObject(s, at);
            calls.AddRange(call);
            return (objectResult, objectEnd);
        }, allowEmpty: false);
        return (result, end, calls);
    }

    private (Scan Result, int End, List<CallSnapshot> Calls) ParseObject(string s, int p)
    {
        var start = TextScan.SkipSpace(s, p);
        var (result, members, end) = JsonScan.Object(s, start);
        if (result == Scan.Fail) return (Scan.Fail, end, []);
        if (NameAsKey) return NamedByKey(s, start, result, members, end);
        string? name = null, id = null, arguments = null;
        foreach (var member in members)
        {
            var complete = member.ValueEnd >= 0;
            if (NameKeys.Contains(member.Key) && complete && s[member.ValueStart] == '"')
                name = JsonScan.DecodeString(s, member.ValueStart, member.ValueEnd);
            else if (WithId && member.Key == "id" && complete && s[member.ValueStart] == '"')
                id = JsonScan.DecodeString(s, member.ValueStart, member.ValueEnd);
            else if (ArgumentKeys.Contains(member.Key))
                arguments = complete ? s[member.ValueStart..member.ValueEnd] : s[member.ValueStart..];
        }
        if (result == Scan.Partial) return (Scan.Partial, end, [new CallSnapshot(start, name, id, arguments ?? "", false, IdKnown: !WithId || id is not null)]);
        arguments ??= "{}";
        if (name is null || !JsonScan.IsObject(arguments)) return (Scan.Fail, end, []);
        return (Scan.Complete, end, [new CallSnapshot(start, name, id, arguments, true)]);
    }

    private static (Scan Result, int End, List<CallSnapshot> Calls) NamedByKey(string s, int start, Scan result, List<JsonScan.Member> members, int end)
    {
        if (members.Count > 1) return (Scan.Fail, end, []);
        if (members.Count == 0) return (result == Scan.Partial ? Scan.Partial : Scan.Fail, end, []);
        var member = members[0];
        if (result == Scan.Partial)
            return (Scan.Partial, end, [new CallSnapshot(start, member.Key, null, member.ValueEnd < 0 ? s[member.ValueStart..] : s[member.ValueStart..member.ValueEnd], false)]);
        var arguments = s[member.ValueStart..member.ValueEnd];
        return JsonScan.IsObject(arguments) ? (Scan.Complete, end, [new CallSnapshot(start, member.Key, null, arguments, true)]) : (Scan.Fail, end, []);
    }
}

/// <summary>
/// The name as text, then the arguments as one JSON object: <c>NAME[ARGS]{...}</c>. <see cref="IdMarker"/>: an id follows
/// the name up to the arguments marker (Mistral's <c>[CALL_ID]</c>); <see cref="NameMarker"/>: an id comes first, up to
/// this marker (Solar). <see cref="KimiReference"/>: the name is written <c>functions.NAME:IDX</c>, which is also the id.
/// </summary>
internal sealed record NamedJsonBody(string ArgsMarker, string? IdMarker = null, string? NameMarker = null, bool KimiReference = false) : CallBody
{
    public override (Scan Result, int End, List<CallSnapshot> Calls) Parse(string s, int p, CallSyntax syntax, ChatOutputOptions options)
    {
        var start = p;
        string? id = null;
        if (NameMarker is not null)
        {
            var (idResult, idText, idEnd) = ReadName(s, p, NameMarker);
            if (idResult != Scan.Complete) return (idResult, s.Length, []);
            id = idText;
            p = TextScan.MatchLoose(s, idEnd, NameMarker).End;
        }
        var (nameResult, name, nameEnd) = ReadName(s, p, IdMarker, ArgsMarker);
        if (nameResult != Scan.Complete) return (nameResult, s.Length, []);
        if (KimiReference)
        {
            id = name;
            var colon = name.LastIndexOf(':');
            name = name[..(colon < 0 ? name.Length : colon)];
            if (name.StartsWith("functions.", StringComparison.Ordinal)) name = name["functions.".Length..];
        }
        p = nameEnd;
        if (IdMarker is not null && s.AsSpan(p).StartsWith(TextScan.FirstWord(IdMarker), StringComparison.Ordinal))
        {
            p = TextScan.MatchLoose(s, p, IdMarker).End;
            var (idResult, idText, idEnd) = ReadName(s, p, ArgsMarker);
            if (idResult != Scan.Complete) return (idResult == Scan.Fail ? Scan.Fail : Scan.Partial, s.Length, idResult == Scan.Fail ? [] : [new CallSnapshot(start, name, null, "", false, IdKnown: false)]);
            id = idText;
            p = idEnd;
        }
        var (markerResult, argsAt) = TextScan.MatchLoose(s, p, ArgsMarker);
        if (markerResult == Scan.Fail) return (Scan.Fail, argsAt, []);
        if (markerResult == Scan.Partial) return (Scan.Partial, s.Length, [new CallSnapshot(start, name, id, "", false, IdKnown: IdMarker is null || id is not null)]);
        argsAt = TextScan.SkipSpace(s, argsAt);
        var (argsResult, argsEnd) = JsonScan.Value(s, argsAt);
        if (argsResult == Scan.Fail) return (Scan.Fail, argsEnd, []);
        if (argsResult == Scan.Partial) return (Scan.Partial, s.Length, [new CallSnapshot(start, name, id, s[argsAt..], false)]);
        var arguments = s[argsAt..argsEnd];
        if (!JsonScan.IsObject(arguments)) return (Scan.Fail, argsEnd, []);
        return (Scan.Complete, argsEnd, [new CallSnapshot(start, name, id, arguments, true)]);
    }
}

/// <summary>
/// XML-like parameters turned into a JSON object: <c>NAME&gt;&lt;parameter=KEY&gt;VALUE&lt;/parameter&gt;...</c>. A value that
/// is valid JSON is kept as JSON, other text becomes a JSON string; <see cref="DsmlStringFlag"/>: DeepSeek's
/// <c>string="true|false"</c> attribute after the key, or a string type in the tool's schema, decides instead. Without <see cref="NameEnd"/> the name runs up to
/// the first parameter or the call's end (GLM).
/// </summary>
internal sealed record XmlParamsBody(string? NameEnd, string ParamStart, string KeyEnd, string ValueEnd, bool DsmlStringFlag = false) : CallBody
{
    public override (Scan Result, int End, List<CallSnapshot> Calls) Parse(string s, int p, CallSyntax syntax, ChatOutputOptions options)
    {
        var start = p;
        var callEnd = TextScan.FirstWord(syntax.CallEnd!);
        var paramStart = TextScan.FirstWord(ParamStart);
        var (nameResult, name, nameEnd) = NameEnd is null ? ReadName(s, p, ParamStart, callEnd) : ReadName(s, p, NameEnd);
        if (nameResult != Scan.Complete) return (nameResult, s.Length, []);
        p = NameEnd is null ? nameEnd : TextScan.MatchLoose(s, nameEnd, NameEnd).End;
        var members = new List<string>();
        CallSnapshot Open() => new(start, name, null, "{" + string.Join(", ", members), false);
        while (true)
        {
            var q = TextScan.SkipSpace(s, p);
            var rest = s.AsSpan(q);
            if (rest.StartsWith(callEnd, StringComparison.Ordinal))
            {
                return (Scan.Complete, q, [new CallSnapshot(start, name, null, "{" + string.Join(", ", members) + "}", true)]);
            }
            if (!rest.StartsWith(paramStart, StringComparison.Ordinal))
            {
                var undecided = paramStart.AsSpan().StartsWith(rest) || callEnd.AsSpan().StartsWith(rest);
                return undecided ? (Scan.Partial, s.Length, [Open()]) : (Scan.Fail, q, []);
            }
            var (paramResult, afterParam) = TextScan.MatchLoose(s, q, ParamStart);
            if (paramResult != Scan.Complete) return (paramResult, s.Length, paramResult == Scan.Fail ? [] : [Open()]);
            p = afterParam;
            var (keyResult, key, keyEnd) = ReadName(s, p, KeyEnd);
            if (keyResult != Scan.Complete) return (keyResult, s.Length, keyResult == Scan.Fail ? [] : [Open()]);
            bool? isString = null;
            if (DsmlStringFlag)
            {
                var close = s.IndexOf('>', keyEnd);
                if (close < 0) return (Scan.Partial, s.Length, [Open()]);
                isString = s.AsSpan(keyEnd, close - keyEnd).Contains("string=\"true\"", StringComparison.Ordinal);
                p = close + 1;
            }
            else
            {
                var (keyEndResult, afterKey) = TextScan.MatchLoose(s, keyEnd, KeyEnd);
                if (keyEndResult != Scan.Complete) return (keyEndResult, s.Length, keyEndResult == Scan.Fail ? [] : [Open()]);
                p = afterKey;
            }
            var valueEnd = s.IndexOf(ValueEnd, p, StringComparison.Ordinal);
            if (valueEnd < 0) return (Scan.Partial, s.Length, [Open()]);
            isString ??= options.StringParameters.Contains((name, key)) ? true : null;
            members.Add(JsonScan.Quote(key) + ": " + ValueJson(StripNewline(s[p..valueEnd]), isString));
            p = valueEnd + ValueEnd.Length;
        }
    }

    private static string StripNewline(string value)
    {
        if (value.StartsWith('\n')) value = value[1..];
        return value.EndsWith('\n') ? value[..^1] : value;
    }

    private static string ValueJson(string value, bool? isString)
    {
        if (isString == true) return JsonScan.Quote(value);
        var trimmed = value.Trim();
        return trimmed.Length > 0 && JsonScan.IsValid(trimmed) ? trimmed : JsonScan.Quote(value);
    }
}
