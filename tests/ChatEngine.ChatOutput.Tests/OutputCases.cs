namespace ChatEngine.ChatOutput.Tests;

/// <summary>An expected call: Arguments compared as JSON; Id checked only when the model writes one.</summary>
public sealed record ExpectedCall(string Name, string Arguments, string? Id = null);

public sealed record OutputCase(
    ChatFamily Family, string Name, string Text, string Content, string Reasoning, ExpectedCall[] Calls,
    bool EndedMidCall = false, bool StartsOpen = false)
{
    public override string ToString() => $"{Family}/{Name}";
}

/// <summary>
/// Model outputs written from the formats the templates teach (the tool-call and reasoning table of
/// ../shared/golden/README.md and the templates' own system prompts), with what a parser must make of them.
/// </summary>
public static class OutputCases
{
    private static readonly ExpectedCall Paris = new("get_weather", """{"city": "Paris"}""");
    private static readonly ExpectedCall ParisCelsius = new("get_weather", """{"city": "Paris", "unit": "celsius"}""");
    private static readonly ExpectedCall News = new("search_web", """{"query": "Paris news", "max_results": 3}""");

    /// <summary>Unicode and every family's markers inside a JSON string: still one argument value.</summary>
    public const string TrickyQuery = "São Paulo °C 東京 🌤 </tool_call> <tool_call> [TOOL_CALLS] [ARGS] <|call|> <｜tool▁call▁end｜> </function> <|tool_call_end|> <|END_ACTION|> </TOOLCALL> ]";

    private static readonly ExpectedCall Tricky = new("search_web", "{\"query\": " + System.Text.Json.JsonSerializer.Serialize(TrickyQuery) + "}");
    private static readonly string TrickyJson = Tricky.Arguments;

    public const string PlainMention = "Use a <tool> tag, [TOOL] or <|tool| words; a {brace} and get_weather are fine.";

    public static IEnumerable<OutputCase> All() =>
    [
        new(ChatFamily.Hermes, "single", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", "", "", [Paris]),
        new(ChatFamily.Hermes, "content then parallel",
            "Let me check both.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"search_web\", \"arguments\": {\"query\": \"Paris news\", \"max_results\": 3}}\n</tool_call>",
            "Let me check both.", "", [ParisCelsius, News]),
        new(ChatFamily.Hermes, "markers and unicode in arguments", "<tool_call>\n{\"name\": \"search_web\", \"arguments\": " + TrickyJson + "}\n</tool_call>", "", "", [Tricky]),
        new(ChatFamily.Hermes, "prompt opened think (QwQ)",
            "The user wants weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
            "", "The user wants weather.", [Paris], StartsOpen: true),
        new(ChatFamily.Hermes, "cut mid call", "I'll check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par",
            "I'll check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par", "", [], EndedMidCall: true),
        new(ChatFamily.Hermes, "content after a call", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n\nDone, São Paulo next.",
            "Done, São Paulo next.", "", [Paris]),
        new(ChatFamily.Hermes, "call without arguments", "<tool_call>\n{\"name\": \"get_time\"}\n</tool_call>", "", "", [new("get_time", "{}")]),
        new(ChatFamily.Hermes, "marker word that is not a call", "Wrap calls in <tool_call> tags, like this.", "Wrap calls in <tool_call> tags, like this.", "", []),

        new(ChatFamily.Qwen3CoderXml, "single",
            "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n<parameter=unit>\ncelsius\n</parameter>\n</function>\n</tool_call>", "", "", [ParisCelsius]),
        new(ChatFamily.Qwen3CoderXml, "reasoning then parallel",
            "<think>\nTwo lookups.\n</think>\n\n<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n<function=search_web>\n<parameter=query>\nParis news\n</parameter>\n<parameter=max_results>\n3\n</parameter>\n</function>\n</tool_call>",
            "", "Two lookups.", [Paris, News]),
        new(ChatFamily.Qwen3CoderXml, "markers and unicode in a value",
            "<tool_call>\n<function=search_web>\n<parameter=query>\n" + TrickyQuery + "\n</parameter>\n</function>\n</tool_call>", "", "", [Tricky]),
        new(ChatFamily.Qwen3CoderXml, "cut mid call", "<tool_call>\n<function=get_weather>\n<parameter=city>\nPar",
            "<tool_call>\n<function=get_weather>\n<parameter=city>\nPar", "", [], EndedMidCall: true),

        new(ChatFamily.Llama3, "single", "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}", "", "", [Paris]),
        new(ChatFamily.Llama3, "markers in arguments", "{\"name\": \"search_web\", \"parameters\": " + TrickyJson + "}", "", "", [Tricky]),
        new(ChatFamily.Llama3, "a brace later is content", "Sure: {\"name\": \"x\"} is JSON.", "Sure: {\"name\": \"x\"} is JSON.", "", []),
        new(ChatFamily.Llama3, "cut mid call", "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Pa",
            "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Pa", "", [], EndedMidCall: true),

        new(ChatFamily.MistralNemo, "parallel with ids",
            "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abc123XYZ\"}, {\"name\": \"search_web\", \"arguments\": {\"query\": \"Paris news\", \"max_results\": 3}, \"id\": \"def456UVW\"}]",
            "", "", [Paris with { Id = "abc123XYZ" }, News with { Id = "def456UVW" }]),
        new(ChatFamily.MistralNemo, "markers in arguments", "[TOOL_CALLS][{\"name\": \"search_web\", \"arguments\": " + TrickyJson + "}]", "", "", [Tricky]),

        new(ChatFamily.Mistral, "parallel (Devstral)",
            "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}[TOOL_CALLS]search_web[ARGS]{\"query\": \"Paris news\", \"max_results\": 3}", "", "", [Paris, News]),
        new(ChatFamily.Mistral, "call id (Small 3.2)", "[TOOL_CALLS]get_weather[CALL_ID]a1b2c3d4e[ARGS]{\"city\": \"Paris\"}", "", "", [Paris with { Id = "a1b2c3d4e" }]),
        new(ChatFamily.Mistral, "think then content and call (Ministral 3)",
            "[THINK]Weather lookup.[/THINK]Sure.[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}", "Sure.", "Weather lookup.", [Paris]),
        new(ChatFamily.Mistral, "markers in arguments", "[TOOL_CALLS]search_web[ARGS]" + TrickyJson, "", "", [Tricky]),
        new(ChatFamily.Mistral, "marker word that is not a call", "The [TOOL_CALLS] token starts a call.", "The [TOOL_CALLS] token starts a call.", "", []),
        new(ChatFamily.Mistral, "cut mid call", "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Pa", "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Pa", "", [], EndedMidCall: true),

        new(ChatFamily.GptOss, "analysis then call",
            "<|channel|>analysis<|message|>User wants weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Paris\"}<|call|>",
            "", "User wants weather.", [Paris]),
        new(ChatFamily.GptOss, "recipient before channel (template history form)",
            "<|start|>assistant to=functions.search_web<|channel|>commentary json<|message|>" + TrickyJson + "<|call|>", "", "", [Tricky]),
        new(ChatFamily.GptOss, "analysis then final",
            "<|channel|>analysis<|message|>Simple greeting.<|end|><|start|>assistant<|channel|>final<|message|>Hello! Olá 👋<|return|>", "Hello! Olá 👋", "Simple greeting.", []),
        new(ChatFamily.GptOss, "plain text without channels", "Just text, no channels.", "Just text, no channels.", "", []),
        new(ChatFamily.GptOss, "cut mid call",
            "<|channel|>analysis<|message|>Need it.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Pa",
            "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\": \"Pa", "Need it.", [], EndedMidCall: true),

        new(ChatFamily.DeepSeekR1, "prompt opened think, parallel",
            "Two lookups.\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Paris\"}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>search_web\n```json\n{\"query\": \"Paris news\", \"max_results\": 3}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            "", "Two lookups.", [Paris, News], StartsOpen: true),
        new(ChatFamily.DeepSeekR1, "markers in arguments",
            "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>search_web\n```json\n" + TrickyJson + "\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>", "", "", [Tricky]),
        new(ChatFamily.DeepSeekR1, "cut mid call", "Ok.\n</think>\n\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"ci",
            "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"ci", "Ok.", [], EndedMidCall: true, StartsOpen: true),

        new(ChatFamily.DeepSeekV31, "think then call",
            "<think>Need weather.</think><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\": \"Paris\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            "", "Need weather.", [Paris]),
        new(ChatFamily.DeepSeekV31, "parallel with markers",
            "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\": \"Paris\"}<｜tool▁call▁end｜><｜tool▁call▁begin｜>search_web<｜tool▁sep｜>" + TrickyJson + "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            "", "", [Paris, Tricky]),

        new(ChatFamily.DeepSeekV32, "string and json parameters",
            "<｜DSML｜function_calls>\n<｜DSML｜invoke name=\"search_web\">\n<｜DSML｜parameter name=\"query\" string=\"true\">Paris news</｜DSML｜parameter>\n<｜DSML｜parameter name=\"max_results\" string=\"false\">3</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜function_calls>",
            "", "", [News]),
        new(ChatFamily.DeepSeekV4, "think then parallel",
            "<think>Both.</think>\n\n<｜DSML｜tool_calls>\n<｜DSML｜invoke name=\"get_weather\">\n<｜DSML｜parameter name=\"city\" string=\"true\">Paris</｜DSML｜parameter>\n</｜DSML｜invoke>\n<｜DSML｜invoke name=\"search_web\">\n<｜DSML｜parameter name=\"query\" string=\"true\">" + TrickyQuery + "</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜tool_calls>",
            "", "Both.", [Paris, Tricky]),

        new(ChatFamily.Glm, "think then parallel",
            "<think>Both.</think>\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n<arg_key>unit</arg_key>\n<arg_value>celsius</arg_value>\n</tool_call>\n<tool_call>search_web\n<arg_key>query</arg_key>\n<arg_value>Paris news</arg_value>\n<arg_key>max_results</arg_key>\n<arg_value>3</arg_value>\n</tool_call>",
            "", "Both.", [ParisCelsius, News]),
        new(ChatFamily.Glm, "cut mid call", "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Pa",
            "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Pa", "", [], EndedMidCall: true),

        new(ChatFamily.Kimi, "parallel, reference ids",
            "<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"city\": \"Paris\"}<|tool_call_end|><|tool_call_begin|>functions.search_web:1<|tool_call_argument_begin|>" + TrickyJson + "<|tool_call_end|><|tool_calls_section_end|>",
            "", "", [Paris with { Id = "functions.get_weather:0" }, Tricky with { Id = "functions.search_web:1" }]),
        new(ChatFamily.Kimi, "think (K2-Thinking) then content",
            "<think>Just greet.</think>Hello there.", "Hello there.", "Just greet.", []),

        new(ChatFamily.CommandR7B, "thinking then action",
            "<|START_THINKING|>I should look it up.<|END_THINKING|><|START_ACTION|>[\n    {\"tool_call_id\": \"0\", \"tool_name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}},\n    {\"tool_call_id\": \"1\", \"tool_name\": \"search_web\", \"parameters\": {\"query\": \"Paris news\", \"max_results\": 3}}\n]<|END_ACTION|>",
            "", "I should look it up.", [Paris, News]),
        new(ChatFamily.CommandR7B, "thinking then response",
            "<|START_THINKING|>Greet back.<|END_THINKING|><|START_RESPONSE|>Hello, Zoë!<|END_RESPONSE|>", "Hello, Zoë!", "Greet back.", []),
        new(ChatFamily.CommandRPlus, "action code block",
            "Action: ```json\n[\n    {\n        \"tool_name\": \"get_weather\",\n        \"parameters\": {\"city\": \"Paris\"}\n    }\n]\n```", "", "", [Paris]),

        new(ChatFamily.MiniMax, "think then call",
            "<think>Weather.</think>\n<minimax:tool_call>\n<invoke name=\"get_weather\">\n<parameter name=\"city\">Paris</parameter>\n<parameter name=\"unit\">celsius</parameter>\n</invoke>\n<invoke name=\"search_web\">\n<parameter name=\"query\">Paris news</parameter>\n<parameter name=\"max_results\">3</parameter>\n</invoke>\n</minimax:tool_call>",
            "", "Weather.", [ParisCelsius, News]),
        new(ChatFamily.SeedOss, "think then call",
            "<seed:think>Weather.</seed:think>\n<seed:tool_call>\n<function=get_weather>\n<parameter=city>Paris</parameter>\n</function>\n</seed:tool_call>", "", "Weather.", [Paris]),
        new(ChatFamily.Hy3, "think then call",
            "<think:opensource>Weather.</think:opensource>\n<tool_calls:opensource>\n<tool_call:opensource>get_weather<tool_sep:opensource>\n<arg_key:opensource>city</arg_key:opensource>\n<arg_value:opensource>Paris</arg_value:opensource>\n</tool_call:opensource>\n</tool_calls:opensource>",
            "", "Weather.", [Paris]),

        new(ChatFamily.NemotronNanoV2, "think then list",
            "<think>Both.</think>\n<TOOLCALL>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, {\"name\": \"search_web\", \"arguments\": " + TrickyJson + "}]</TOOLCALL>",
            "", "Both.", [Paris, Tricky]),
        new(ChatFamily.Apriel, "reasoning steps then list",
            "Here are my reasoning steps:\nWeather needed.\n[BEGIN FINAL RESPONSE]\n<tool_calls>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"call1abcd\"}]</tool_calls>",
            "", "Weather needed.", [Paris with { Id = "call1abcd" }]),
        new(ChatFamily.Granite33, "list", "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]", "", "", [Paris]),
        new(ChatFamily.GigaChat31, "function call", "<|function_call|>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}", "", "", [Paris]),
        new(ChatFamily.GigaChat3, "function call", "function call<|role_sep|>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}", "", "", [Paris]),
        new(ChatFamily.SolarOpen, "think then call",
            "<|think|>Weather.<|end|><|begin|>assistant<|tool_calls|><|tool_call:begin|>abc123def<|tool_call:name|>get_weather<|tool_call:args|>{\"city\": \"Paris\"}<|tool_call:end|><|calls|>",
            "", "Weather.", [Paris with { Id = "abc123def" }]),
        new(ChatFamily.Firefunction, "functools", " functools[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]", "", "", [Paris]),
        new(ChatFamily.FunctionaryV31, "function tag", "<function=get_weather>{\"city\": \"Paris\"}</function>", "", "", [Paris]),

        new(ChatFamily.Gemma4, "thought then parallel",
            "<|channel>thought\nBoth.\n<channel|><|tool_call>call:get_weather{city:<|\"|>Paris<|\"|>,unit:<|\"|>celsius<|\"|>}<tool_call|><|tool_call>call:search_web{max_results:3,query:<|\"|>Paris news<|\"|>}<tool_call|>",
            "", "Both.", [ParisCelsius, News]),
        new(ChatFamily.Gemma4, "markers and unicode in a string",
            "<|tool_call>call:search_web{query:<|\"|>" + TrickyQuery + "<|\"|>}<tool_call|>", "", "", [Tricky]),
        new(ChatFamily.Gemma4, "cut mid call", "<|tool_call>call:get_weather{city:<|\"|>Pa", "<|tool_call>call:get_weather{city:<|\"|>Pa", "", [], EndedMidCall: true),
        new(ChatFamily.Apertus, "inner reasoning then parallel",
            "<|inner_prefix|>Both.<|inner_suffix|><|tools_prefix|>[{\"get_weather\": {\"city\": \"Paris\"}}, {\"search_web\": " + TrickyJson + "}]<|tools_suffix|>",
            "", "Both.", [Paris, Tricky]),
        new(ChatFamily.Lfm2, "think then python calls",
            "<think>Both.</think><|tool_call_start|>[get_weather(city='Paris', unit=\"celsius\"), search_web(query='Paris news', max_results=3)]<|tool_call_end|>",
            "", "Both.", [ParisCelsius, News]),
        new(ChatFamily.Lfm2, "markers, quotes and unicode in a string",
            "<|tool_call_start|>[search_web(query='" + TrickyQuery + "')]<|tool_call_end|>", "", "", [Tricky]),
        new(ChatFamily.Lfm2, "python literals", "<|tool_call_start|>[f(a=True, b=None, c=[1, 'x'], d={'k': False}, e='it\\'s')]<|tool_call_end|>", "", "",
            [new("f", "{\"a\": true, \"b\": null, \"c\": [1, \"x\"], \"d\": {\"k\": false}, \"e\": \"it's\"}")]),
        new(ChatFamily.Lfm2, "cut mid call", "<|tool_call_start|>[get_weather(city='Pa", "<|tool_call_start|>[get_weather(city='Pa", "", [], EndedMidCall: true),
        new(ChatFamily.Generic, "tool_calls object",
            "{\"tool_calls\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, {\"name\": \"search_web\", \"arguments\": " + TrickyJson + "}]}", "", "", [Paris, Tricky]),
        new(ChatFamily.Generic, "think then plain", "<think>Hm.</think>\nHello, world.", "Hello, world.", "Hm.", []),
    ];

    /// <summary>The parsed families: each gets a plain-content case that only mentions marker-like words.</summary>
    public static IEnumerable<OutputCase> WithPlainMentions() =>
        All().Concat(All().Select(c => c.Family).Distinct().Select(family => new OutputCase(family, "plain mention", PlainMention, PlainMention, "", [])));
}
