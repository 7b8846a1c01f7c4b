using System.Text.Json;
using ChatEngine.ChatOutput;
using ChatEngine.Gguf;
using ChatEngine.Runtime.Generation;
using ChatEngine.Server.Protocol;
using ChatEngine.TestData;
using ChatEngine.Text;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// The response side of tool calling on non-streamed <c>/v1/chat/completions</c>: a choice's text parsed into
/// <c>content</c>, <c>reasoning_content</c>, <c>tool_calls</c> and <c>finish_reason: "tool_calls"</c>.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ToolResponseTests
{
    private const string Weather = """{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";
    private static readonly string Hermes = File.ReadAllText(TestPaths.Shared("templates", "Qwen-Qwen2.5-7B-Instruct.jinja"));

    [Theory]
    [InlineData(FinishReason.Stop, "tool_calls")]
    [InlineData(FinishReason.Length, "length")]
    public void A_message_of_calls_has_null_content_its_calls_and_the_finish_reason(FinishReason finish, string expectedFinish)
    {
        var text = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
        var parser = new ChatOutputParser(ChatOutputFormat.FromTemplate(Hermes), new ChatOutputOptions { NewCallId = n => $"call_{n}" });

        var choice = Write(new ChoiceResult(0, text, finish, null, parser.Parse(text)));

        var message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var call = Assert.Single(message.GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("call_0", call.GetProperty("id").GetString());
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"city": "Paris"}""", call.GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal(expectedFinish, choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public void A_call_cut_off_by_the_length_limit_is_content_and_no_call()
    {
        var text = "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"argu";
        var parser = new ChatOutputParser(ChatOutputFormat.FromTemplate(Hermes));

        var choice = Write(new ChoiceResult(0, text, FinishReason.Length, null, parser.Parse(text)));

        var message = choice.GetProperty("message");
        Assert.Equal(text, message.GetProperty("content").GetString());
        Assert.False(message.TryGetProperty("tool_calls", out _));
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public void Reasoning_goes_to_reasoning_content()
    {
        var text = "<think>\nThe user wants weather.\n</think>\n\nIt is sunny.";
        var parser = new ChatOutputParser(ChatOutputFormat.FromTemplate(File.ReadAllText(TestPaths.Shared("templates", "Qwen-QwQ-32B.jinja"))));

        var message = Write(new ChoiceResult(0, text, FinishReason.Stop, null, parser.Parse(text))).GetProperty("message");

        Assert.Equal("The user wants weather.", message.GetProperty("reasoning_content").GetString());
        Assert.Equal("It is sunny.", message.GetProperty("content").GetString());
    }

    /// <summary>
    /// Through the server, with a real template: the tiny model's seeded answer with tools offered is the parse of the
    /// text it generates with <c>tool_choice: none</c> (same prompt, same seed), which is left as it is.
    /// </summary>
    [SharedFact]
    public async Task The_server_parses_the_generated_text_unless_tool_choice_is_none()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            ContextSize = 1024,
            ChatTemplateFile = TestPaths.Shared("templates", "Qwen-Qwen2.5-7B-Instruct.jinja"),
        });
        string Body(string choice) => $$$"""
            {"messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[{{{Weather}}}],"tool_choice":"{{{choice}}}","seed":7,"max_tokens":24}
            """;

        var raw = (await server.PostForJsonAsync("/v1/chat/completions", Body("none"))).GetProperty("choices")[0];
        var parsed = (await server.PostForJsonAsync("/v1/chat/completions", Body("auto"))).GetProperty("choices")[0];

        var text = raw.GetProperty("message").GetProperty("content").GetString()!;
        var expected = new ChatOutputParser(ChatOutputFormat.FromTemplate(Hermes)).Parse(text);
        Assert.Equal(expected.Content, parsed.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(raw.GetProperty("finish_reason").GetString(), parsed.GetProperty("finish_reason").GetString());

        var chat = server.OpenAi.GetChatClient("stories260K");
        var options = new OpenAI.Chat.ChatCompletionOptions
        {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the server implements it.
            Seed = 7, MaxOutputTokenCount = 24,
#pragma warning restore OPENAI001
            Tools = { OpenAI.Chat.ChatTool.CreateFunctionTool("get_weather", null,
                BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")) },
        };
        var streamed = new System.Text.StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new OpenAI.Chat.UserChatMessage("Weather in Paris?")], options))
        {
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
            finish ??= update.FinishReason;
        }
        Assert.Equal(expected.Content, streamed.ToString());
        Assert.Equal(raw.GetProperty("finish_reason").GetString(), finish == OpenAI.Chat.ChatFinishReason.Length ? "length" : "stop");
    }

    /// <summary>
    /// Without tools, a reasoning model's template (QwQ's prompt opens a think block when thinking is enabled) still
    /// gets its reasoning split off, as llama-server does by default: the seeded answer's text with <c>reasoning_format: none</c> is, with the
    /// default, all reasoning_content (the random model never closes the block), streamed and not; a template without
    /// reasoning markers (Qwen2.5) leaves the text as content.
    /// </summary>
    [SharedFact]
    public async Task Without_tools_a_reasoning_template_splits_off_the_reasoning()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            ContextSize = 1024,
            ChatTemplateFile = TestPaths.Shared("templates", "Qwen-QwQ-32B.jinja"),
        });
        static string Body(string extra) => $$$"""
            {"messages":[{"role":"user","content":"Why is the sky blue?"}],"chat_template_kwargs":{"enable_thinking":true},"seed":3,"max_tokens":24{{{extra}}}}
            """;

        var raw = (await server.PostForJsonAsync("/v1/chat/completions", Body(""","reasoning_format":"none" """))).GetProperty("choices")[0].GetProperty("message");
        var split = (await server.PostForJsonAsync("/v1/chat/completions", Body(""))).GetProperty("choices")[0].GetProperty("message");

        var text = raw.GetProperty("content").GetString()!;
        Assert.False(raw.TryGetProperty("reasoning_content", out _));
        Assert.Equal(text.Trim(), split.GetProperty("reasoning_content").GetString());
        Assert.True(split.GetProperty("content").ValueKind is JsonValueKind.Null || split.GetProperty("content").GetString() == "");

        using var response = await server.PostStreamingAsync("/v1/chat/completions", Body(""","stream":true"""));
        var reasoning = new System.Text.StringBuilder();
        var content = new System.Text.StringBuilder();
        foreach (var data in (await SseEvents.ReadAllAsync(response)).Where(d => d != "[DONE]"))
        {
            var delta = SseEvents.Json(data).GetProperty("choices")[0].GetProperty("delta");
            if (delta.TryGetProperty("reasoning_content", out var r)) reasoning.Append(r.GetString());
            if (delta.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String) content.Append(c.GetString());
        }
        Assert.Equal(text.Trim(), reasoning.ToString());
        Assert.Equal("", content.ToString());

        await using var plain = await TestServer.StartAsync(o => o with
        {
            ContextSize = 1024,
            ChatTemplateFile = TestPaths.Shared("templates", "Qwen-Qwen2.5-7B-Instruct.jinja"),
        });
        var message = (await plain.PostForJsonAsync("/v1/chat/completions", Body(""))).GetProperty("choices")[0].GetProperty("message");
        Assert.False(message.TryGetProperty("reasoning_content", out _));
    }

    /// <summary>
    /// The chunks of a streamed call, read by the official OpenAI SDK, rebuild the non-streamed message: the call's
    /// id and name in its first tool_calls delta, the argument fragments after, content before it.
    /// </summary>
    [Fact]
    public void Streamed_call_chunks_read_by_the_openai_sdk_rebuild_the_parsed_message()
    {
        var text = "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
        var parser = new ChatOutputParser(ChatOutputFormat.FromTemplate(Hermes), new ChatOutputOptions { NewCallId = n => $"call_{n}" });
        var expected = parser.Parse(text);
        using var file = GgufFile.Open(TestServer.ModelPath);
        var logProbabilities = new LogProbabilityWriter(Tokenizer.FromGguf(file.Metadata));
        var header = ResponseHeader.Create("chatcmpl-", "m");
        var stream = parser.StartStream();
        var deltas = new List<ChatOutputDelta>();
        for (var i = 0; i < text.Length; i += 3) deltas.AddRange(stream.Feed(text.Substring(i, Math.Min(3, text.Length - i))));
        var end = stream.Finish();
        deltas.AddRange(end.Deltas);

        var content = new System.Text.StringBuilder();
        var calls = new SortedDictionary<int, (string? Id, string? Name, System.Text.StringBuilder Arguments)>();
        string? finish = null;
        foreach (var chunk in deltas.Select(d => Chunk(d, null)).Append(Chunk(null, CompletionFormat.WireName(FinishReason.Stop, end.Message.ToolCalls.Count > 0))))
        {
            var update = System.ClientModel.Primitives.ModelReaderWriter.Read<OpenAI.Chat.StreamingChatCompletionUpdate>(BinaryData.FromBytes(chunk))!;
            foreach (var part in update.ContentUpdate) content.Append(part.Text);
            foreach (var call in update.ToolCallUpdates)
            {
                var known = calls.TryGetValue(call.Index, out var c) ? c : (null, null, new System.Text.StringBuilder());
                calls[call.Index] = (known.Id ?? call.ToolCallId, known.Name ?? call.FunctionName, known.Item3.Append(call.FunctionArgumentsUpdate?.ToString()));
            }
            if (update.FinishReason is { } reason) finish = reason.ToString();
        }

        Assert.Equal(expected.Content, content.ToString());
        var (id, name, arguments) = Assert.Single(calls.Values);
        Assert.Equal(("call_0", "get_weather", """{"city": "Paris"}"""), (id, name, arguments.ToString()));
        Assert.Equal("ToolCalls", finish);

        byte[] Chunk(ChatOutputDelta? delta, string? reason)
        {
            var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
                CompletionFormat.WriteParsedChunk(json, header, 0, delta, null, reason, includeUsage: false, logProbabilities);
            return buffer.ToArray();
        }
    }

    private static JsonElement Write(ChoiceResult choice)
    {
        using var file = GgufFile.Open(TestServer.ModelPath);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
            CompletionFormat.Chat.WriteResponse(json, ResponseHeader.Create("chatcmpl-", "m"), [choice], new Usage(1, 1, 0),
                new LogProbabilityWriter(Tokenizer.FromGguf(file.Metadata)));
        return JsonDocument.Parse(buffer.ToArray()).RootElement.GetProperty("choices")[0];
    }
}
