using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// Graceful shutdown (the host stopped in process, as SIGTERM stops it): while draining, new requests and /health get
/// 503; generations still running at the deadline end with <c>finish_reason: "shutdown"</c> and a complete reply.
/// </summary>
public sealed class ShutdownTests
{
    /// <summary>Far more tokens than stories260K generates in the few milliseconds these tests wait, so every sequence
    /// is still running when the deadline comes: the deadline, not the model, ends it.</summary>
    private const int LongContext = 16384;
    private const int LongAnswer = 16000;

    private static readonly int Eos = Reference.Model.Tokenizer.EosTokenId;

    [Fact]
    public async Task Sequences_running_at_the_deadline_end_with_finish_reason_shutdown_then_DONE()
    {
        await using var server = await TestServer.StartAsync(o => o with { ShutdownTimeout = 0, ContextSize = LongContext, Parallel = 4, Threads = 1 });
        using var chat = await server.PostStreamingAsync("/v1/chat/completions",
            $$$"""{"messages":[{"role":"user","content":"Hi"}],"max_tokens":{{{LongAnswer}}},"temperature":0,"stream":true,"logit_bias":{"{{{Eos}}}":-100}}""");
        using var text = await server.PostStreamingAsync("/v1/completions",
            $$$"""{"prompt":"Once upon a time","max_tokens":{{{LongAnswer}}},"temperature":0,"stream":true,"stream_options":{"include_usage":true},"logit_bias":{"{{{Eos}}}":-100}}""");
        var whole = server.PostJsonAsync("/v1/completions",
            $$$"""{"prompt":"The cat","max_tokens":{{{LongAnswer}}},"temperature":0,"logit_bias":{"{{{Eos}}}":-100}}""");
        await using var hub = await ChatHubConnection.StartAsync(server.BaseAddress);
        // Read as it comes: the server resets hub connections once it has stopped.
        var hubSummary = ReadUntilSummaryAsync(hub.StreamAsync<JsonElement>("StreamChat",
            new { messages = new[] { new { role = "user", content = "Hi" } }, temperature = 0, maxTokens = LongAnswer }));
        await WaitForActiveSlotsAsync(server, 4);

        await server.Server.App.StopAsync();

        var chatEvents = await SseEvents.ReadAllAsync(chat);
        Assert.Equal("[DONE]", chatEvents[^1]);
        var chatChoices = chatEvents[..^1].Select(e => SseEvents.Json(e).GetProperty("choices")[0]).ToList();
        Assert.All(chatChoices[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("finish_reason").ValueKind));
        Assert.Equal("shutdown", chatChoices[^1].GetProperty("finish_reason").GetString());

        var textEvents = await SseEvents.ReadAllAsync(text);
        Assert.Equal("[DONE]", textEvents[^1]);
        var textChunks = textEvents[..^2].Select(SseEvents.Json).ToList();
        Assert.Equal("shutdown", textChunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var streamedTokens = textChunks.Count(c => c.GetProperty("choices")[0].GetProperty("text").GetString()!.Length > 0);
        var usage = SseEvents.Json(textEvents[^2]).GetProperty("usage");
        // The shutdown's final chunk is not a generated token; every other chunk of this prompt carries one token.
        Assert.Equal(streamedTokens, usage.GetProperty("completion_tokens").GetInt32());

        using var wholeResponse = await whole;
        var answer = JsonDocument.Parse(await wholeResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(200, (int)wholeResponse.StatusCode);
        Assert.Equal("shutdown", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.True(answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32() < LongAnswer);

        Assert.Equal("shutdown", (await hubSummary).GetProperty("finishReason").GetString());

        Assert.Equal(4, server.Server.SequencesEndedByShutdown);
    }

    [Fact]
    public async Task While_draining_new_requests_and_health_get_503_and_running_streams_finish_normally()
    {
        const int answerTokens = 200;
        await using var server = await TestServer.StartAsync(o => o with { ShutdownTimeout = 120, ContextSize = 512, Parallel = 1, Threads = 1 });
        // The stream's second token waits until the draining server has been checked: the stream is then certainly
        // still running while it drains, however fast the model is.
        using var checkedWhileDraining = new ManualResetEventSlim();
        var sampled = 0;
        server.Server.Scheduler!.BeforeSampling = _ =>
        {
            if (sampled++ == 1) Assert.True(checkedWhileDraining.Wait(TimeSpan.FromSeconds(30)), "the drain checks never ended");
        };
        using var running = await server.PostStreamingAsync("/v1/completions",
            $$$"""{"prompt":"Once upon a time","max_tokens":{{{answerTokens}}},"temperature":0,"stream":true,"logit_bias":{"{{{Eos}}}":-100}}""");
        var events = SseEvents.StreamAsync(await running.Content.ReadAsStreamAsync()).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());

        var stopping = server.Server.App.StopAsync();
        using var health = await WaitForHealthStatusAsync(server, 503);
        using var refused = await server.PostJsonAsync("/v1/completions", """{"prompt":"Hello","max_tokens":4}""");
        using var metrics = await server.Http.GetAsync("/metrics");

        var healthError = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(("unavailable_error", "shutting_down"), (healthError.GetProperty("type").GetString(), healthError.GetProperty("code").GetString()));
        Assert.Equal(503, (int)refused.StatusCode);
        var refusal = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("the server is shutting down", refusal.GetProperty("message").GetString());
        Assert.Equal(200, (int)metrics.StatusCode);
        Assert.False(stopping.IsCompleted, "the drain ended before the running stream did");
        checkedWhileDraining.Set();

        var rest = new List<string>();
        while (await events.MoveNextAsync()) rest.Add(events.Current);
        await events.DisposeAsync();
        await stopping;
        Assert.Equal("[DONE]", rest[^1]);
        Assert.Equal("length", SseEvents.Json(rest[^2]).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, server.Server.SequencesEndedByShutdown);
    }

    private static async Task<JsonElement> ReadUntilSummaryAsync(IAsyncEnumerable<JsonElement> items)
    {
        await foreach (var item in items)
        {
            if (item.GetProperty("summary").ValueKind != JsonValueKind.Null) return item.GetProperty("summary");
        }
        throw new InvalidOperationException("the hub stream completed without a summary");
    }

    private static async Task WaitForActiveSlotsAsync(TestServer server, int slots)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (server.Server.ActiveSlots < slots)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {server.Server.ActiveSlots} of {slots} sequences started");
            await Task.Delay(5);
        }
    }

    private static async Task<HttpResponseMessage> WaitForHealthStatusAsync(TestServer server, int status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var response = await server.Http.GetAsync("/health");
            if ((int)response.StatusCode == status) return response;
            response.Dispose();
            Assert.True(DateTime.UtcNow < deadline, $"/health never answered {status}");
            await Task.Delay(5);
        }
    }
}
