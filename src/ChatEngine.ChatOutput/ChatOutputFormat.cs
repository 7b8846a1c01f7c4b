using System.Text;

namespace ChatEngine.ChatOutput;

/// <summary>
/// A family's output format: its reasoning markers, how it writes tool calls, and the literal text that forces a call.
/// Get one from a template's source (<see cref="FromTemplate"/>) or by family (<see cref="For"/>).
/// </summary>
public sealed class ChatOutputFormat
{
    private static readonly ReasoningMarkers Think = new("<think>", "</think>");

    private readonly CallSyntax? _calls;
    private readonly Func<string, ForcedCallSyntax>? _forcedCall;

    private ChatOutputFormat(ChatFamily family, ReasoningMarkers? reasoning, CallSyntax? calls, Func<string, ForcedCallSyntax>? forcedCall)
    {
        Family = family;
        Reasoning = reasoning;
        _calls = calls;
        _forcedCall = forcedCall;
    }

    public ChatFamily Family { get; }

    /// <summary>Null when the family has no reasoning block (gpt-oss's analysis channel is handled as part of its channels).</summary>
    public ReasoningMarkers? Reasoning { get; }

    /// <summary>
    /// The text around schema-valid arguments that writes a call to <paramref name="functionName"/> in this family's own
    /// syntax; null where the arguments are not one JSON object (the XML-parameter families) or the syntax is not parsed.
    /// </summary>
    public ForcedCallSyntax? ForcedCall(string functionName) => _forcedCall?.Invoke(functionName);

    /// <summary>
    /// The marker whose appearance anywhere in the output starts a call written as <see cref="ForcedCall"/> writes it
    /// (so a constraint can wait for it: a lazy grammar); null where calls are recognised only at the start or the
    /// forced syntax does not begin with the marker.
    /// </summary>
    public string? CallTrigger =>
        _calls is { OnlyAtStart: false } calls && _forcedCall?.Invoke("f").Prefix.StartsWith(calls.Trigger, StringComparison.Ordinal) == true
            ? calls.Trigger : null;

    /// <summary>Whether a rendered prompt ends inside a reasoning block, so the output starts in it (set <see cref="ChatOutputOptions.ReasoningStartsOpen"/>).</summary>
    public bool PromptOpensReasoning(string renderedPrompt)
    {
        if (Reasoning is null) return false;
        var prompt = renderedPrompt.TrimEnd();
        return prompt.EndsWith(Reasoning.Start.TrimEnd(), StringComparison.Ordinal);
    }

    public static ChatOutputFormat FromTemplate(string templateSource) => For(FamilyDetector.Detect(templateSource));

    /// <summary>
    /// For answers that may not call tools: the template family's reasoning split alone (everything after the
    /// reasoning block is content; gpt-oss keeps its channels, which carry the reasoning), where answers under
    /// <paramref name="templateSource"/> may open with reasoning: the template writes the family's markers (a thinking
    /// model's template renders or strips earlier reasoning), or it is gpt-oss's. Null for other templates.
    /// </summary>
    public static ChatOutputFormat? ReasoningOnly(string templateSource)
    {
        var format = FromTemplate(templateSource);
        if (format.Family == ChatFamily.GptOss) return format;
        return format.Reasoning is { } markers && templateSource.Contains(markers.Start.Trim(), StringComparison.Ordinal)
            ? new(format.Family, markers, null, null)
            : null;
    }

    public static ChatOutputFormat For(ChatFamily family) => family switch
    {
        ChatFamily.Hermes => new(family, Think, new(null, null, "<tool_call>", new JsonObjectBody(List: false), "</tool_call>"),
            name => new($"<tool_call>\n{{\"name\": {JsonScan.Quote(name)}, \"arguments\": ", "}\n</tool_call>")),
        ChatFamily.Qwen3CoderXml => new(family, Think,
            new(null, null, "<tool_call> <function=", new XmlParamsBody(">", "<parameter=", ">", "</parameter>"), "</function> </tool_call>"), null),
        ChatFamily.Llama3 => new(family, null, new(null, null, "", new JsonObjectBody(List: false), null, OnlyAtStart: true, TriggerText: "{"),
            name => new($"{{\"name\": {JsonScan.Quote(name)}, \"parameters\": ", "}")),
        ChatFamily.MistralNemo => new(family, null, new(null, null, "[TOOL_CALLS]", new JsonObjectBody(List: true, WithId: true), null),
            name => new($"[TOOL_CALLS][{{\"name\": {JsonScan.Quote(name)}, \"arguments\": ", "}]")),
        ChatFamily.Mistral => new(family, new("[THINK]", "[/THINK]"),
            new(null, null, "[TOOL_CALLS]", new NamedJsonBody("[ARGS]", IdMarker: "[CALL_ID]"), null),
            name => new($"[TOOL_CALLS]{name}[ARGS]", "")),
        ChatFamily.GptOss => new(family, null, null,
            name => new($"<|channel|>commentary to=functions.{name} <|constrain|>json<|message|>", "<|call|>")),
        ChatFamily.DeepSeekR1 => new(family, Think,
            new("<｜tool▁calls▁begin｜>", "<｜tool▁calls▁end｜>", "<｜tool▁call▁begin｜>function<｜tool▁sep｜>", new NamedJsonBody("```json"),
                "``` <｜tool▁call▁end｜>"),
            name => new($"<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>{name}\n```json\n", "\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>")),
        ChatFamily.DeepSeekV31 => new(family, Think,
            new("<｜tool▁calls▁begin｜>", "<｜tool▁calls▁end｜>", "<｜tool▁call▁begin｜>", new NamedJsonBody("<｜tool▁sep｜>"), "<｜tool▁call▁end｜>"),
            name => new($"<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>{name}<｜tool▁sep｜>", "<｜tool▁call▁end｜><｜tool▁calls▁end｜>")),
        ChatFamily.DeepSeekV32 => new(family, Think, Dsml("function_calls"), null),
        ChatFamily.DeepSeekV4 => new(family, Think, Dsml("tool_calls"), null),
        ChatFamily.Glm => new(family, Think,
            new(null, null, "<tool_call>", new XmlParamsBody(null, "<arg_key>", "</arg_key> <arg_value>", "</arg_value>"), "</tool_call>"), null),
        ChatFamily.Kimi => new(family, Think,
            new("<|tool_calls_section_begin|>", "<|tool_calls_section_end|>", "<|tool_call_begin|>",
                new NamedJsonBody("<|tool_call_argument_begin|>", KimiReference: true), "<|tool_call_end|>"),
            name => new($"<|tool_calls_section_begin|><|tool_call_begin|>functions.{name}:0<|tool_call_argument_begin|>",
                "<|tool_call_end|><|tool_calls_section_end|>")),
        ChatFamily.CommandR7B => new(family, new("<|START_THINKING|>", "<|END_THINKING|>"),
            new(null, null, "<|START_ACTION|>", new JsonObjectBody(List: true), "<|END_ACTION|>"),
            name => new($"<|START_ACTION|>[\n    {{\"tool_call_id\": \"0\", \"tool_name\": {JsonScan.Quote(name)}, \"parameters\": ", "}\n]<|END_ACTION|>")),
        ChatFamily.CommandRPlus => new(family, null, new(null, null, "Action: ```json", new JsonObjectBody(List: true), "```", TriggerText: "Action:"),
            name => new($"Action: ```json\n[\n    {{\"tool_name\": {JsonScan.Quote(name)}, \"parameters\": ", "}\n]\n```")),
        ChatFamily.MiniMax => new(family, Think,
            new("<minimax:tool_call>", "</minimax:tool_call>", "<invoke name=\"",
                new XmlParamsBody("\">", "<parameter name=\"", "\">", "</parameter>"), "</invoke>"), null),
        ChatFamily.SeedOss => new(family, new("<seed:think>", "</seed:think>"),
            new("<seed:tool_call>", "</seed:tool_call>", "<function=", new XmlParamsBody(">", "<parameter=", ">", "</parameter>"), "</function>"), null),
        ChatFamily.NemotronNanoV2 => JsonList(family, Think, "<TOOLCALL>", "</TOOLCALL>"),
        ChatFamily.Apriel => JsonList(family, new("Here are my reasoning steps:", "[BEGIN FINAL RESPONSE]"), "<tool_calls>", "</tool_calls>", withId: true),
        ChatFamily.Granite33 => JsonList(family, Think, "<|tool_call|>", null),
        ChatFamily.Firefunction => JsonList(family, null, "functools", null),
        ChatFamily.GigaChat3 => new(family, null, new(null, null, "function call<|role_sep|>", new JsonObjectBody(List: false), null,
            TriggerText: "function call<|role_sep|>"), name => new($"function call<|role_sep|>\n{{\"name\": {JsonScan.Quote(name)}, \"arguments\": ", "}")),
        ChatFamily.GigaChat31 => new(family, null, new(null, null, "<|function_call|>", new JsonObjectBody(List: false), null),
            name => new($"<|function_call|>{{\"name\": {JsonScan.Quote(name)}, \"arguments\": ", "}")),
        // the template writes the turn after the reasoning as a new assistant message
        ChatFamily.SolarOpen => new(family, new("<|think|>", "<|end|><|begin|>assistant"),
            new("<|tool_calls|>", "<|calls|>", "<|tool_call:begin|>", new NamedJsonBody("<|tool_call:args|>", NameMarker: "<|tool_call:name|>"), "<|tool_call:end|>"),
            name => new($"<|tool_calls|><|tool_call:begin|>call00000<|tool_call:name|>{name}<|tool_call:args|>", "<|tool_call:end|><|calls|>")),
        ChatFamily.Hy3 => new(family, new("<think:opensource>", "</think:opensource>"),
            new("<tool_calls:opensource>", "</tool_calls:opensource>", "<tool_call:opensource>",
                new XmlParamsBody("<tool_sep:opensource>", "<arg_key:opensource>", "</arg_key:opensource> <arg_value:opensource>", "</arg_value:opensource>"),
                "</tool_call:opensource>"), null),
        ChatFamily.FunctionaryV31 => new(family, null, new(null, null, "<function=", new NamedJsonBody(">"), "</function>"),
            name => new($"<function={name}>", "</function>")),
        ChatFamily.Gemma4 => new(family, new("<|channel>thought", "<channel|>"),
            new(null, null, "<|tool_call>call:", new GemmaCallBody(), "<tool_call|>"), null),
        ChatFamily.Apertus => new(family, new("<|inner_prefix|>", "<|inner_suffix|>"),
            new(null, null, "<|tools_prefix|>", new JsonObjectBody(List: true, NameAsKey: true), "<|tools_suffix|>"),
            name => new($"<|tools_prefix|>[{{{JsonScan.Quote(name)}: ", "}]<|tools_suffix|>")),
        ChatFamily.Lfm2 => new(family, Think, new(null, null, "<|tool_call_start|>", new PythonCallsBody(), "<|tool_call_end|>"), null),
        ChatFamily.FunctionaryV32 => new(family, Think, GenericCalls, null),
        _ => new(ChatFamily.Generic, Think, GenericCalls,
            name => new($"{{\"tool_call\": {{\"name\": {JsonScan.Quote(name)}, \"arguments\": ", "}}")),
    };

    private static readonly CallSyntax GenericCalls =
        new(null, null, "", new JsonObjectBody(List: false, Wrapped: true), null, OnlyAtStart: true, TriggerText: "{");

    private static CallSyntax Dsml(string section) =>
        new($"<｜DSML｜{section}>", $"</｜DSML｜{section}>", "<｜DSML｜invoke name=\"",
            new XmlParamsBody("\">", "<｜DSML｜parameter name=\"", "\"", "</｜DSML｜parameter>", DsmlStringFlag: true), "</｜DSML｜invoke>");

    private static ChatOutputFormat JsonList(ChatFamily family, ReasoningMarkers? reasoning, string start, string? end, bool withId = false) =>
        new(family, reasoning, new(null, null, start, new JsonObjectBody(List: true, WithId: withId), end),
            name => new($"{start}[{{\"name\": {JsonScan.Quote(name)}, \"arguments\": ", "}]" + end));

    internal Snapshot Parse(string text, bool final, ChatOutputOptions options)
    {
        var snapshot = new Snapshot();
        if (Family == ChatFamily.GptOss)
        {
            HarmonyParser.Parse(text, final, options.ReasoningFormat, snapshot);
            return snapshot;
        }
        var (bodyStart, done) = ParseReasoning(text, final, options, snapshot);
        var trimLeading = bodyStart > 0 && options.ReasoningFormat != ReasoningFormat.None;
        if (!done && _calls is null) AppendContent(snapshot, text, bodyStart, text.Length, trimLeading);
        else if (!done) ParseBody(text, bodyStart, final, options, snapshot, trimLeading);
        if (Family == ChatFamily.CommandR7B) Unwrap(snapshot.Content, "<|START_RESPONSE|>", "<|END_RESPONSE|>", final);
        return snapshot;
    }

    /// <summary>Removes the markers a family wraps its answer in (command-r7b), holding back a partial one while streaming.</summary>
    private static void Unwrap(StringBuilder content, string start, string end, bool final)
    {
        var text = content.ToString();
        if (text.StartsWith(start, StringComparison.Ordinal)) text = text[start.Length..];
        else if (!final && start.StartsWith(text, StringComparison.Ordinal)) text = "";
        var endAt = text.IndexOf(end, StringComparison.Ordinal);
        if (endAt >= 0) text = text.Remove(endAt, end.Length);
        else if (!final) text = text[..^TextScan.PartialMarkerSuffix(text, 0, [end])];
        content.Clear().Append(text);
    }

    /// <summary>Splits off a leading reasoning block; done when the text ends inside it (or may still open one).</summary>
    private (int BodyStart, bool Done) ParseReasoning(string text, bool final, ChatOutputOptions options, Snapshot snapshot)
    {
        if (Reasoning is null) return (0, false);
        var afterSpace = TextScan.SkipSpace(text, 0);
        int begin;
        if (options.ReasoningStartsOpen) begin = 0;
        else if (text.AsSpan(afterSpace).StartsWith(Reasoning.Start, StringComparison.Ordinal)) begin = afterSpace + Reasoning.Start.Length;
        else if (!final && Reasoning.Start.AsSpan().StartsWith(text.AsSpan(afterSpace))) return (0, true);
        else return (0, false);

        var endAt = text.IndexOf(Reasoning.End, begin, StringComparison.Ordinal);
        var closed = endAt >= 0;
        var reasoningEnd = closed ? endAt : final ? text.Length : text.Length - TextScan.PartialMarkerSuffix(text, begin, [Reasoning.End]);
        var blockEnd = closed ? endAt + Reasoning.End.Length : reasoningEnd;
        if (options.ReasoningFormat == ReasoningFormat.None) snapshot.Content.Append(text, 0, blockEnd);
        else snapshot.Reasoning.Append(text.AsSpan(begin, reasoningEnd - begin).Trim());
        return closed ? (blockEnd, false) : (text.Length, true);
    }

    private void ParseBody(string text, int bodyStart, bool final, ChatOutputOptions options, Snapshot snapshot, bool trimLeading)
    {
        var calls = _calls!;
        var segmentStart = bodyStart;
        var searchFrom = bodyStart;
        while (true)
        {
            var at = FindTrigger(text, bodyStart, searchFrom, calls);
            if (at < 0)
            {
                var end = text.Length;
                if (!final)
                {
                    end -= calls.OnlyAtStart
                        ? (searchFrom == bodyStart && TextScan.SkipSpace(text, bodyStart) == text.Length ? text.Length - bodyStart : 0)
                        : TextScan.PartialMarkerSuffix(text, searchFrom, [calls.Trigger]);
                    end -= TextScan.TrailingSpace(text, segmentStart, end);
                }
                AppendContent(snapshot, text, segmentStart, end, trimLeading);
                return;
            }
            var (result, callsEnd, found) = ParseCalls(text, at, final, calls, options);
            if (result == Scan.Fail)
            {
                searchFrom = at + 1;
                continue;
            }
            if (result == Scan.Partial && final)
            {
                snapshot.EndedMidCall = true;
                AppendContent(snapshot, text, segmentStart, text.Length, trimLeading);
                return;
            }
            AppendContent(snapshot, text, segmentStart, at - TextScan.TrailingSpace(text, segmentStart, at), trimLeading);
            snapshot.Calls.AddRange(found);
            if (result == Scan.Partial) return;
            segmentStart = searchFrom = callsEnd;
            trimLeading = true;
        }
    }

    private static int FindTrigger(string text, int bodyStart, int searchFrom, CallSyntax calls)
    {
        if (!calls.OnlyAtStart) return text.IndexOf(calls.Trigger, searchFrom, StringComparison.Ordinal);
        var first = TextScan.SkipSpace(text, bodyStart);
        return searchFrom == bodyStart && text.AsSpan(first).StartsWith(calls.Trigger, StringComparison.Ordinal) ? first : -1;
    }

    private static void AppendContent(Snapshot snapshot, string text, int from, int end, bool trimLeading)
    {
        if (trimLeading)
        {
            while (from < end && char.IsWhiteSpace(text[from])) from++;
        }
        if (end > from) snapshot.Content.Append(text, from, end - from);
    }

    /// <summary>Parses the section (or the single call) that starts at p.</summary>
    private static (Scan Result, int End, List<CallSnapshot> Calls) ParseCalls(string text, int p, bool final, CallSyntax syntax, ChatOutputOptions options)
    {
        var calls = new List<CallSnapshot>();
        if (syntax.SectionStart is not null)
        {
            var (sectionResult, afterSection) = TextScan.MatchLoose(text, p, syntax.SectionStart);
            if (sectionResult != Scan.Complete) return (sectionResult, afterSection, calls);
            p = afterSection;
        }
        while (true)
        {
            if (syntax.SectionEnd is not null && calls.Count > 0)
            {
                var (endResult, afterEnd) = TextScan.MatchLoose(text, p, syntax.SectionEnd);
                if (endResult == Scan.Complete) return (Scan.Complete, afterEnd, calls);
                // a model may stop right after its last call: the section's end is then implied
                if (final && TextScan.SkipSpace(text, p) == text.Length) return (Scan.Complete, text.Length, calls);
                if (endResult == Scan.Partial) return (Scan.Partial, text.Length, calls);
            }
            var (startResult, afterStart) = TextScan.MatchLoose(text, p, syntax.CallStart);
            if (startResult != Scan.Complete) return (startResult, afterStart, calls);
            var (bodyResult, bodyEnd, bodyCalls) = syntax.Body.Parse(text, afterStart, syntax, options);
            if (bodyResult == Scan.Fail) return (Scan.Fail, bodyEnd, []);
            if (bodyResult == Scan.Partial)
            {
                calls.AddRange(bodyCalls);
                return (Scan.Partial, text.Length, calls);
            }
            p = bodyEnd;
            if (syntax.CallEnd is not null)
            {
                var (callEndResult, afterCallEnd) = TextScan.MatchLoose(text, p, syntax.CallEnd);
                if (callEndResult == Scan.Fail) return (Scan.Fail, afterCallEnd, []);
                if (callEndResult == Scan.Partial)
                {
                    calls.AddRange(bodyCalls.Select(call => call with { Complete = false }));
                    return (Scan.Partial, text.Length, calls);
                }
                p = afterCallEnd;
            }
            calls.AddRange(bodyCalls);
            if (syntax.SectionStart is null) return (Scan.Complete, p, calls);
        }
    }
}
