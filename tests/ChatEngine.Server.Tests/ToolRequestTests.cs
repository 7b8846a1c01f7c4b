using System.Text.Json;
using System.Text.Json.Nodes;
using ChatEngine.Gguf;
using ChatEngine.TestData;
using ChatEngine.Text;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// The request side of tool calling on <c>/v1/chat/completions</c>: tools, tool_choice, tool calls and results,
/// chat_template_kwargs, reasoning_effort and reasoning_format are validated (400 naming the field) and reach the
/// chat template; <see cref="ServerOptions.ChatTemplateFile"/> replaces the model's template.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ToolRequestTests(ServerFixture fixture) : IDisposable
{
    private const string Weather = """{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";
    private const string Call = """{"role":"assistant","content":null,"tool_calls":[{"id":"call1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}""";
    private const string User = """{"role":"user","content":"Weather in Paris?"}""";

    private readonly string _dir = Directory.CreateTempSubdirectory("chatengine-tools-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> BadToolRequests => new()
    {
        // body, param
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":{"type":"function"}}""", "tools" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"retrieval"}]}""", "tools[0].type" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"function"}]}""", "tools[0].function" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"function","function":{"description":"x"}}]}""", "tools[0].function.name" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"function","function":{"name":"get weather"}}]}""", "tools[0].function.name" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"function","function":{"name":7}}]}""", "tools[0].function.name" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{{{{{Weather}}}}},{{{{{Weather}}}}}]}""", "tools[1].function.name" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"function","function":{"name":"f","parameters":"object"}}]}""", "tools[0].function.parameters" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"dict"}}}]}""", "tools[0].function.parameters.type" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":[]}}}]}""", "tools[0].function.parameters.properties" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","required":"city"}}}]}""", "tools[0].function.parameters.required" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{{{{{Weather}}}}}],"tool_choice":"sometimes"}""", "tool_choice" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{{{{{Weather}}}}}],"tool_choice":{"type":"function","function":{"name":"search_web"}}}""", "tool_choice" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{{{{{Weather}}}}}],"tool_choice":{"type":"function"}}""", "tool_choice.function" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tool_choice":"required"}""", "tool_choice" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tool_choice":{"type":"function","function":{"name":"get_weather"}}}""", "tool_choice" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"tools":[{{{{{Weather}}}}}],"parallel_tool_calls":"yes"}""", "parallel_tool_calls" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{"role":"tool","tool_call_id":"call1","content":"sunny"}]}""", "messages[1].tool_call_id" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{{{{{Call}}}}},{"role":"tool","tool_call_id":"call2","content":"sunny"}]}""", "messages[2].tool_call_id" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{{{{{Call}}}}},{"role":"tool","content":"sunny"}]}""", "messages[2].tool_call_id" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{{{{{Call}}}}},{"role":"tool","tool_call_id":"call1"}]}""", "messages[2].content" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"get_weather","arguments":"{city: Paris}"}}]}]}""", "messages[1].tool_calls[0].function.arguments" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"get_weather","arguments":{"city":"Paris"}}}]}]}""", "messages[1].tool_calls[0].function.arguments" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"get_weather"}}]}]}""", "messages[1].tool_calls[0].function.arguments" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"get_weather","arguments":"{}"}}]}]}""", "messages[1].tool_calls[0].id" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{"role":"assistant","tool_calls":[{"id":"c","type":"code","function":{"name":"get_weather","arguments":"{}"}}]}]}""", "messages[1].tool_calls[0].type" },
        { $$$$$"""{"messages":[{{{{{User}}}}},{"role":"assistant","tool_calls":{"id":"c"}}]}""", "messages[1].tool_calls" },
        { """{"messages":[{"role":"user","content":"Hi","tool_calls":[]}]}""", "messages[0].tool_calls" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"reasoning_format":"raw"}""", "reasoning_format" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"reasoning_effort":3}""", "reasoning_effort" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"chat_template_kwargs":"enable_thinking=false"}""", "chat_template_kwargs" },
        { $$$$$"""{"messages":[{{{{{User}}}}}],"chat_template_kwargs":[{"enable_thinking":false}]}""", "chat_template_kwargs" },
    };

    [Theory]
    [MemberData(nameof(BadToolRequests))]
    public async Task Bad_tool_fields_are_a_400_naming_the_field(string body, string param)
    {
        foreach (var path in new[] { "/v1/chat/completions", "/apply-template" })
        {
            using var response = await fixture.Server.PostJsonAsync(path, body);

            var error = await OpenAiError.ReadAsync(response, 400);
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.Equal(param, error.GetProperty("param").GetString());
        }
    }

    [Fact]
    public async Task Tools_on_a_template_that_ignores_them_are_a_400_naming_tools()
    {
        var body = $$$$$"""
            {"messages":[{{{{{User}}}}},{{{{{Call}}}}},{"role":"tool","tool_call_id":"call1","content":"sunny"}],"tools":[{{{{{Weather}}}}}],
             "tool_choice":"auto","parallel_tool_calls":false,"reasoning_format":"none","reasoning_effort":"low",
             "chat_template_kwargs":{"enable_thinking":false},"max_tokens":2}
            """;

        foreach (var path in new[] { "/v1/chat/completions", "/apply-template" })
        {
            using var response = await fixture.Server.PostJsonAsync(path, body);

            var error = await OpenAiError.ReadAsync(response, 400);
            Assert.Equal("tools", error.GetProperty("param").GetString());
            Assert.Contains("does not support tools", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A template (bundled data only) that shows every input: tools, call arguments used as an object (so they must
    /// arrive parsed, as llama.cpp passes them), tool results with their call id, kwargs and reasoning_effort.
    /// </summary>
    private const string ShowAll =
        "{% for t in tools or [] %}[tool {{ t.function.name }}]{% endfor %}"
        + "{% for m in messages %}<{{ m.role }}>{{ m.content }}"
        + "{% for c in m.tool_calls or [] %}(call {{ c.id }} {{ c.function.name }} city={{ c.function.arguments.city }} {{ c.function.arguments | tojson }}){% endfor %}"
        + "{% if m.tool_call_id %}(result of {{ m.tool_call_id }}){% endif %}{% endfor %}"
        + "{% if enable_thinking is false %}/no_think{% endif %}{% if reasoning_effort %}effort={{ reasoning_effort }}{% endif %}"
        + "{% if add_generation_prompt %}<assistant>{% endif %}";

    [Fact]
    public async Task A_chat_template_file_renders_tools_calls_results_and_kwargs()
    {
        var template = Path.Combine(_dir, "show-all.jinja");
        File.WriteAllText(template, ShowAll);
        await using var server = await TestServer.StartAsync(o => o with { ChatTemplateFile = template });
        var body = $$$$$"""
            {"messages":[{{{{{User}}}}},{{{{{Call}}}}},{"role":"tool","tool_call_id":"call1","content":"sunny"}],"tools":[{{{{{Weather}}}}}],
             "reasoning_effort":"low","chat_template_kwargs":{"enable_thinking":false},"max_tokens":1}
            """;
        const string expected = "[tool get_weather]<user>Weather in Paris?<assistant>(call call1 get_weather city=Paris {\"city\": \"Paris\"})"
            + "<tool>sunny(result of call1)/no_thinkeffort=low<assistant>";

        var applied = await server.PostForJsonAsync("/apply-template", body);
        var answer = await server.PostForJsonAsync("/v1/chat/completions", body);

        Assert.Equal(expected, applied.GetProperty("prompt").GetString());
        Assert.Equal(PromptTokens(TestServer.ModelPath, expected), answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task The_hub_renders_with_the_chat_template_file_too()
    {
        var template = Path.Combine(_dir, "show-all.jinja");
        File.WriteAllText(template, ShowAll);
        await using var server = await TestServer.StartAsync(o => o with { ChatTemplateFile = template });
        await using var hub = await ChatHubConnection.StartAsync(server.BaseAddress);

        var items = await hub.StreamAsync<JsonElement>("StreamChat", new { messages = new[] { new { role = "user", content = "Hi" } }, temperature = 0, maxTokens = 1 }).ToListAsync();

        Assert.Equal(PromptTokens(TestServer.ModelPath, "<user>Hi<assistant>"),
            items[^1].GetProperty("summary").GetProperty("usage").GetProperty("promptTokens").GetInt32());
    }

    [Theory]
    [InlineData("{% for m in messages %}", "unexpected end of template")]
    [InlineData("{{ x | no_such_filter }}", "no filter named 'no_such_filter'")]
    public async Task A_chat_template_file_the_engine_cannot_parse_fails_start_up_naming_the_file(string source, string reason)
    {
        var template = Path.Combine(_dir, "bad.jinja");
        File.WriteAllText(template, source);
        await using var server = await TestServer.StartAsync(o => o with { ChatTemplateFile = template }, waitForModel: false);

        var error = await Assert.ThrowsAsync<Templates.TemplateSyntaxException>(() => server.Server.WaitUntilReadyAsync());

        Assert.StartsWith($"chat template file '{template}' is not a template this server can render: {reason}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_chat_template_file_fails_start_up_naming_it()
    {
        var template = Path.Combine(_dir, "none.jinja");
        await using var server = await TestServer.StartAsync(o => o with { ChatTemplateFile = template }, waitForModel: false);

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => server.Server.WaitUntilReadyAsync());

        Assert.Equal($"chat template file '{template}' does not exist", error.Message);
    }

    public static TheoryData<string, string, string> GoldenToolCases => new()
    {
        // template, conversation, kwargs (JSON)
        { "Qwen-Qwen2.5-7B-Instruct", "tools_offered", "{}" },
        { "Qwen-Qwen2.5-7B-Instruct", "tool_call_single", "{}" },
        { "Qwen-Qwen2.5-7B-Instruct", "tool_calls_parallel", "{}" },
        { "Qwen-Qwen2.5-7B-Instruct", "tool_call_answered", "{}" },
        { "Qwen3.5-4B", "tool_call_single", "{}" },
        { "Qwen3.5-4B", "tools_offered", """{"enable_thinking":false}""" },
        { "Qwen3.5-4B", "tools_offered", """{"enable_thinking":true}""" },
    };

    /// <summary>
    /// A tiny model served with a real template renders the golden tool conversations byte for byte, sent the way an
    /// OpenAI client sends them (arguments as JSON strings), and its prompt is that rendering's tokens.
    /// </summary>
    [SharedTheory]
    [MemberData(nameof(GoldenToolCases))]
    public async Task A_tiny_model_with_a_real_template_renders_the_golden_tool_prompt(string templateName, string conversation, string kwargs)
    {
        var golden = JsonNode.Parse(File.ReadAllText(TestPaths.Golden("chat-templates-tools.json")))!;
        var testCase = golden["cases"]!.AsArray().Single(c => (string)c!["template"]! == templateName
            && (string)c["conversation"]! == conversation && (bool)c["add_generation_prompt"]! && c["kwargs"]!.ToJsonString() == kwargs)!;
        var model = TestPaths.Model("tiny-qwen3-Q8_0.gguf");
        await using var server = await TestServer.StartAsync(o => o with
        {
            ModelPath = model,
            ContextSize = 4096,
            Parallel = 1,
            ChatTemplateFile = TestPaths.Shared((string)testCase["template_file"]!),
        });
        var request = new JsonObject
        {
            ["messages"] = OpenAiMessages(golden["conversations"]![conversation]!.AsArray()),
            ["max_tokens"] = 1,
        };
        if (testCase["tools"] is JsonArray tools) request["tools"] = tools.DeepClone();
        if (kwargs != "{}") request["chat_template_kwargs"] = JsonNode.Parse(kwargs);
        var rendered = (string)testCase["rendered"]!;

        var applied = await server.PostForJsonAsync("/apply-template", request.ToJsonString());
        var answer = await server.PostForJsonAsync("/v1/chat/completions", request.ToJsonString());

        Assert.Equal(rendered, applied.GetProperty("prompt").GetString());
        Assert.Equal(PromptTokens(model, rendered), answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    /// <summary>
    /// functionary v3.2 concatenates arguments to a string (jinja2 fails on the golden file's object arguments), so the
    /// probe leaves OpenAI's string as it is and the call renders verbatim.
    /// </summary>
    [SharedFact]
    public async Task A_template_that_wants_string_arguments_gets_the_string()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            ContextSize = 4096,
            ChatTemplateFile = TestPaths.Shared("templates", "meetkai-functionary-medium-v3.2.jinja"),
        });
        var body = $$$$$"""{"messages":[{{{{{User}}}}},{{{{{Call}}}}},{"role":"tool","tool_call_id":"call1","content":"sunny"}],"tools":[{{{{{Weather}}}}}]}""";

        var applied = await server.PostForJsonAsync("/apply-template", body);

        Assert.Contains(">>>get_weather\n{\"city\":\"Paris\"}", applied.GetProperty("prompt").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The golden conversation as an OpenAI client sends it: arguments as JSON text, reasoning only as reasoning_content.</summary>
    private static JsonArray OpenAiMessages(JsonArray conversation)
    {
        var messages = conversation.DeepClone().AsArray();
        foreach (var message in messages.Select(m => m!.AsObject()))
        {
            message.Remove("thinking");
            message.Remove("reasoning");
            foreach (var call in message["tool_calls"]?.AsArray() ?? [])
                call!["function"]!["arguments"] = call["function"]!["arguments"]!.ToJsonString();
        }
        return messages;
    }

    /// <summary>The server's prompt for a rendering: special tokens parsed, BOS added unless the text starts with it.</summary>
    private static int PromptTokens(string modelPath, string rendered)
    {
        using var file = GgufFile.Open(modelPath);
        var tokenizer = Tokenizer.FromGguf(file.Metadata);
        var hasBos = tokenizer.BosTokenId >= 0 && rendered.StartsWith(tokenizer.TokenText(tokenizer.BosTokenId), StringComparison.Ordinal);
        return tokenizer.Encode(rendered, addSpecial: !hasBos, parseSpecial: true).Length;
    }
}
