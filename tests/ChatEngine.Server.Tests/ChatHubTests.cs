using System.Text;
using System.Text.Json;
using ChatEngine.TestData;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>The SignalR chat hub at /hubs/chat, spoken to through the SignalR .NET client.</summary>
[Collection(ServerCollection.Name)]
public sealed class ChatHubTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task StreamChat_yields_the_runtime_answer_in_pieces_then_usage_and_timings()
    {
        var expected = Reference.Greedy(Reference.ChatPrompt(("user", "Hi")), 20);
        await using var hub = await ChatHubConnection.StartAsync(Server.BaseAddress);

        var items = await hub.StreamAsync<JsonElement>("StreamChat", new { messages = new[] { new { role = "user", content = "Hi" } }, temperature = 0, maxTokens = 20 }).ToListAsync();

        var text = new StringBuilder();
        foreach (var item in items[..^1])
        {
            Assert.Equal(JsonValueKind.Null, item.GetProperty("summary").ValueKind);
            text.Append(item.GetProperty("text").GetString());
        }
        Assert.True(items.Count >= 3, $"{items.Count} stream items: the answer did not arrive in pieces");
        Assert.Equal(expected.Text, text.ToString());
        var summary = items[^1].GetProperty("summary");
        Assert.Equal("", items[^1].GetProperty("text").GetString());
        Assert.Equal(expected.Finish == Runtime.Generation.FinishReason.Stop ? "stop" : "length", summary.GetProperty("finishReason").GetString());
        Assert.Equal(expected.PromptTokens, summary.GetProperty("usage").GetProperty("promptTokens").GetInt32());
        Assert.Equal(expected.CompletionTokens, summary.GetProperty("usage").GetProperty("completionTokens").GetInt32());
        var timings = summary.GetProperty("timings");
        Assert.True(timings.GetProperty("timeToFirstTokenMs").GetDouble() > 0);
        Assert.True(timings.GetProperty("totalMs").GetDouble() >= timings.GetProperty("timeToFirstTokenMs").GetDouble());
        Assert.True(timings.GetProperty("tokensPerSecond").GetDouble() > 0);
    }

    [Fact]
    public async Task The_system_prompt_goes_first_as_a_system_message()
    {
        var expected = Reference.Greedy(Reference.ChatPrompt(("system", "You tell stories."), ("user", "Hi")), 12);
        await using var hub = await ChatHubConnection.StartAsync(Server.BaseAddress);

        var items = await hub.StreamAsync<JsonElement>("StreamChat",
            new { messages = new[] { new { role = "user", content = "Hi" } }, systemPrompt = "You tell stories.", temperature = 0, maxTokens = 12 }).ToListAsync();

        Assert.Equal(expected.Text, string.Concat(items.Select(i => i.GetProperty("text").GetString())));
        Assert.Equal(expected.PromptTokens, items[^1].GetProperty("summary").GetProperty("usage").GetProperty("promptTokens").GetInt32());
    }

    [Fact]
    public async Task A_developer_message_is_a_system_message_as_over_http()
    {
        var expected = Reference.Greedy(Reference.ChatPrompt(("system", "You tell stories."), ("user", "Hi")), 12);
        await using var hub = await ChatHubConnection.StartAsync(Server.BaseAddress);

        var items = await hub.StreamAsync<JsonElement>("StreamChat",
            new { messages = new[] { new { role = "developer", content = "You tell stories." }, new { role = "user", content = "Hi" } }, temperature = 0, maxTokens = 12 }).ToListAsync();

        Assert.Equal(expected.Text, string.Concat(items.Select(i => i.GetProperty("text").GetString())));
        Assert.Equal(expected.PromptTokens, items[^1].GetProperty("summary").GetProperty("usage").GetProperty("promptTokens").GetInt32());
    }

    [Fact]
    public async Task GetInfo_names_the_model_and_its_limits()
    {
        await using var hub = await ChatHubConnection.StartAsync(Server.BaseAddress);

        var info = await hub.InvokeAsync<JsonElement>("GetInfo");

        Assert.Equal("stories260K", info.GetProperty("model").GetString());
        Assert.True(info.GetProperty("ready").GetBoolean());
        Assert.Equal(Server.Server.Options.ContextSize, info.GetProperty("contextSize").GetInt32());
        Assert.Equal(Server.Server.Options.Parallel, info.GetProperty("slots").GetInt32());
    }

    [Theory]
    [InlineData(5000, "the conversation is 100009 bytes of text even with only its last message")] // ~100 KB of JSON: above SignalR's default message limit
    [InlineData(70, "the conversation is ")]
    public async Task A_last_message_longer_than_the_context_is_refused_with_a_reason(int lines, string reason)
    {
        var longText = string.Concat(Enumerable.Repeat("a long line of text ", lines));
        Assert.True(Reference.ChatPrompt(("user", longText)).Length > Server.Server.Options.ContextSize);
        await using var hub = await ChatHubConnection.StartAsync(Server.BaseAddress);

        var error = await Assert.ThrowsAsync<HubException>(async () => await hub.StreamAsync<JsonElement>("StreamChat", new { messages = new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = longText } } }).ToListAsync());

        Assert.Contains("HubException: invalid_request: " + reason, error.Message, StringComparison.Ordinal);
        Assert.Contains($"and the context holds {Server.Server.Options.ContextSize}: shorten it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_conversation_longer_than_the_context_goes_on_without_its_oldest_turns_and_says_how_many()
    {
        var context = Server.Server.Options.ContextSize;
        var turns = Enumerable.Range(0, 11)
            .Select(i => (Role: i % 2 == 0 ? "user" : "assistant", Content: $"turn {i}: " + string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 6))))
            .ToArray();
        Assert.True(Reference.ChatPrompt(turns).Length > context, "the conversation must not fit the context");
        // The longest tail that starts with a question and leaves a quarter of the context for the answer.
        var kept = Enumerable.Range(1, turns.Length).Where(n => n % 2 == 1)
            .Last(n => context - Reference.ChatPrompt(turns[^n..]).Length >= context / 4);
        var expected = Reference.Greedy(Reference.ChatPrompt(turns[^kept..]), 8);
        await using var hub = await ChatHubConnection.StartAsync(Server.BaseAddress);

        var items = await hub.StreamAsync<JsonElement>("StreamChat",
            new { messages = turns.Select(t => new { role = t.Role, content = t.Content }), temperature = 0, maxTokens = 8 }).ToListAsync();

        var summary = items[^1].GetProperty("summary");
        Assert.Equal(turns.Length - kept, summary.GetProperty("omittedMessages").GetInt32());
        Assert.Equal(expected.PromptTokens, summary.GetProperty("usage").GetProperty("promptTokens").GetInt32());
        Assert.Equal(expected.Text, string.Concat(items.Select(i => i.GetProperty("text").GetString())));
        Assert.False(summary.GetProperty("contextFull").GetBoolean());
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(2, false)]
    public async Task An_answer_that_reaches_the_end_of_the_context_says_so_and_one_cut_by_max_tokens_does_not(int? maxTokens, bool contextFull)
    {
        var context = Server.Server.Options.ContextSize;
        var words = new StringBuilder("Once upon a time");
        while (Reference.ChatPrompt(("user", words + " there was a cat")).Length < context - 4) words.Append(" there was a cat");
        var room = context - Reference.ChatPrompt(("user", words.ToString())).Length;
        var expected = Reference.Greedy(Reference.ChatPrompt(("user", words.ToString())), Math.Min(maxTokens ?? room, room));
        Assert.Equal(Runtime.Generation.FinishReason.Length, expected.Finish);
        await using var hub = await ChatHubConnection.StartAsync(Server.BaseAddress);

        var summary = (await hub.StreamAsync<JsonElement>("StreamChat", new { messages = new[] { new { role = "user", content = words.ToString() } }, temperature = 0, maxTokens }).ToListAsync())[^1].GetProperty("summary");

        Assert.Equal("length", summary.GetProperty("finishReason").GetString());
        Assert.Equal(expected.CompletionTokens, summary.GetProperty("usage").GetProperty("completionTokens").GetInt32());
        Assert.Equal(contextFull, summary.GetProperty("contextFull").GetBoolean());
        Assert.Equal(0, summary.GetProperty("omittedMessages").GetInt32());
    }

    [Theory]
    [InlineData("""{"messages":[]}""", "invalid_request: messages must contain at least one message")]
    [InlineData("""{"messages":[{"role":"robot","content":"Hi"}]}""", "invalid_request: messages[0].role 'robot'")]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}],"temperature":-1}""", "invalid_request: temperature must be finite and >= 0")]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}],"topP":0}""", "invalid_request: topP must be in (0, 1]")]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}],"maxTokens":0}""", "invalid_request: maxTokens must be at least 1")]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}],"model":"gpt-4"}""", "invalid_request: the model 'gpt-4' does not exist")]
    public async Task Bad_requests_end_the_stream_with_a_coded_reason(string request, string expectedStart)
    {
        await using var hub = await ChatHubConnection.StartAsync(Server.BaseAddress);

        var error = await Assert.ThrowsAsync<HubException>(async () => await hub.StreamAsync<JsonElement>("StreamChat", JsonDocument.Parse(request).RootElement).ToListAsync());

        Assert.Contains("HubException: " + expectedStart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_that_is_not_valid_unicode_is_refused_and_the_connection_keeps_serving()
    {
        await using var hub = await RawHubSocket.ConnectAsync(Server.BaseAddress);

        await hub.SendAsync("""{"type":4,"invocationId":"bad","target":"StreamChat","arguments":[{"messages":[{"role":"user","content":"a\ud800b"}]}]}""");
        var error = await Assert.ThrowsAsync<HubException>(async () => await hub.ReadStreamAsync("bad").ToListAsync());

        // SignalR cannot bind the arguments and refuses before the hub method runs; the connection stays usable.
        Assert.StartsWith("Failed to invoke 'StreamChat' due to an error on the server.", error.Message, StringComparison.Ordinal);
        await hub.SendAsync("""{"type":4,"invocationId":"next","target":"StreamChat","arguments":[{"messages":[{"role":"user","content":"Hi"}],"maxTokens":3}]}""");
        Assert.NotEmpty(await hub.ReadStreamAsync("next").ToListAsync());
    }
}

/// <summary>Hub behaviour that needs a server of its own: one slot and no queue, or another chat template.</summary>
public sealed class ChatHubCapacityTests
{
    private static readonly object LongAnswer = new { messages = new[] { new { role = "user", content = "Once upon a time" } }, temperature = 0, maxTokens = 1500 };

    [Fact]
    public async Task Cancelling_the_stream_stops_the_answer_and_frees_the_slot()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 1, QueueLimit = 0, ContextSize = 2048 });
        await using var hub = await ChatHubConnection.StartAsync(server.BaseAddress);

        using var cancellation = new CancellationTokenSource();
        await using (var stream = hub.StreamAsync<JsonElement>("StreamChat", LongAnswer, cancellation.Token).GetAsyncEnumerator())
        {
            Assert.True(await stream.MoveNextAsync());
            Assert.Equal(JsonValueKind.Null, stream.Current.GetProperty("summary").ValueKind);
            await cancellation.CancelAsync();
        }
        await server.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, server.Server.CancelledSequences);
        Assert.NotEmpty(await hub.StreamAsync<JsonElement>("StreamChat", new { messages = new[] { new { role = "user", content = "Hi" } }, maxTokens = 3 }).ToListAsync());
    }

    [Fact]
    public async Task A_full_server_refuses_with_queue_full_and_the_http_api_shares_the_slots()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 1, QueueLimit = 0, ContextSize = 2048 });
        await using var hub = await ChatHubConnection.StartAsync(server.BaseAddress);
        using var cancellation = new CancellationTokenSource();
        await using var stream = hub.StreamAsync<JsonElement>("StreamChat", LongAnswer, cancellation.Token).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());

        var error = await Assert.ThrowsAsync<HubException>(async () => await hub.StreamAsync<JsonElement>("StreamChat", new { messages = new[] { new { role = "user", content = "Hi" } } }).ToListAsync());
        using var http = await server.PostJsonAsync("/v1/chat/completions", """{"messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""");

        Assert.Contains("HubException: queue_full: all 1 slots are busy", error.Message, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, http.StatusCode);
        await cancellation.CancelAsync();
    }

    /// <summary>A thinking model's template (DeepSeek R1's prompt opens a think block): the hub streams the reasoning
    /// apart from the text, as the HTTP API's reasoning_content; it is all reasoning here (the random model never
    /// closes the block), the same text the HTTP API returns with reasoning_format none.</summary>
    [SharedFact]
    public async Task A_thinking_templates_reasoning_streams_apart_from_the_text()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            ContextSize = 1024, ChatTemplateFile = TestPaths.Shared("templates", "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja"),
        });
        var raw = await server.PostForJsonAsync("/v1/chat/completions",
            """{"messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":16,"reasoning_format":"none"}""");
        await using var hub = await ChatHubConnection.StartAsync(server.BaseAddress);

        var items = await hub.StreamAsync<JsonElement>("StreamChat", new { messages = new[] { new { role = "user", content = "Hi" } }, temperature = 0, maxTokens = 16 }).ToListAsync();

        var reasoning = string.Concat(items.Select(i => i.GetProperty("reasoning")).Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()));
        Assert.Equal(raw.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!.Trim(), reasoning);
        Assert.Equal("", string.Concat(items.Select(i => i.GetProperty("text").GetString())));
        Assert.Equal(16, items[^1].GetProperty("summary").GetProperty("usage").GetProperty("completionTokens").GetInt32());
    }

    /// <summary>QwQ's template reads <c>enable_thinking</c>: the server says the switch exists, and the request's
    /// <c>thinking</c> turns the reasoning block on (all reasoning here) or off (all text).</summary>
    [SharedFact]
    public async Task Thinking_can_be_switched_where_the_template_offers_it()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            ContextSize = 1024, ChatTemplateFile = TestPaths.Shared("templates", "Qwen-QwQ-32B.jinja"),
        });
        await using var hub = await ChatHubConnection.StartAsync(server.BaseAddress);
        Assert.True((await hub.InvokeAsync<JsonElement>("GetInfo")).GetProperty("thinkingToggle").GetBoolean());

        async Task<(string Text, string Reasoning)> Answer(bool thinking)
        {
            var items = await hub.StreamAsync<JsonElement>("StreamChat", new { messages = new[] { new { role = "user", content = "Hi" } }, temperature = 0, maxTokens = 12, thinking }).ToListAsync();
            return (string.Concat(items.Select(i => i.GetProperty("text").GetString())),
                string.Concat(items.Select(i => i.GetProperty("reasoning")).Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString())));
        }

        var on = await Answer(thinking: true);
        var off = await Answer(thinking: false);
        Assert.Equal("", on.Text);
        Assert.NotEqual("", on.Reasoning);
        Assert.NotEqual("", off.Text);
        Assert.Equal("", off.Reasoning);
        await using var plain = await TestServer.StartAsync(o => o with { ContextSize = 1024 });
        await using var plainHub = await ChatHubConnection.StartAsync(plain.BaseAddress);
        Assert.False((await plainHub.InvokeAsync<JsonElement>("GetInfo")).GetProperty("thinkingToggle").GetBoolean());
    }
}
