using System.Text.Json;
using ChatEngine.Runtime.Serving;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// A sequence whose sampler throws (through the scheduler's <see cref="InferenceScheduler.BeforeSampling"/> seam) ends
/// with an error its client sees, while the sequences batched with it and the server itself go on unharmed.
/// </summary>
public sealed class FaultInjectionTests
{
    private const ulong FaultySeed = 666;
    private const int MaxTokens = 48;
    private static readonly string[] HealthyPrompts = ["Once upon a time", "The little cat", "A girl named Lily"];

    [Fact]
    public async Task A_sampler_failing_mid_stream_ends_that_stream_with_an_error_event_and_the_batch_finishes_as_solo()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 8, ContextSize = 256, Threads = 1 });
        var expected = HealthyPrompts.Select(p => Reference.Greedy(Reference.TextPrompt(p), MaxTokens).Text).ToArray();
        // Fails the faulty sequence at its 5th token, once all four sequences have been sampled in the same steps.
        var seen = new HashSet<GenerationJob>();
        var sampled = new Dictionary<GenerationJob, int>();
        server.Server.Scheduler!.BeforeSampling = job =>
        {
            seen.Add(job);
            sampled[job] = sampled.GetValueOrDefault(job) + 1;
            if (job.Options.Sampling.Seed == FaultySeed && seen.Count == 4 && sampled[job] >= 5) throw new InvalidOperationException("injected sampler fault");
        };

        var healthy = HealthyPrompts.Select(p => StreamTextAsync(server, CompletionBody(p, MaxTokens, seed: 1))).ToArray();
        var faulty = StreamTextAsync(server, CompletionBody("The dog", 200, FaultySeed, ignoreEos: true));
        var results = await Task.WhenAll([.. healthy, faulty]);

        for (var i = 0; i < HealthyPrompts.Length; i++)
        {
            Assert.Null(results[i].Error);
            Assert.Equal(expected[i], results[i].Text);
            Assert.True(results[i].Done);
        }
        var failed = results[^1];
        Assert.NotEmpty(failed.Text);
        Assert.NotNull(failed.Error);
        Assert.Equal("server_error", failed.Error.Value.GetProperty("type").GetString());
        Assert.Contains("injected sampler fault", failed.Error.Value.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(failed.Done, "the error event is followed by [DONE]");
        await server.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(expected[0], (await StreamTextAsync(server, CompletionBody(HealthyPrompts[0], MaxTokens, seed: 1))).Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sequence_failing_before_its_first_token_gets_a_500_error_object(bool stream)
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 2, ContextSize = 256, Threads = 1 });
        server.Server.Scheduler!.BeforeSampling = job =>
        {
            if (job.Options.Sampling.Seed == FaultySeed) throw new InvalidOperationException("injected sampler fault");
        };

        using var response = await server.PostJsonAsync("/v1/completions",
            JsonSerializer.Serialize(new { prompt = "The dog", max_tokens = 8, seed = FaultySeed, stream }));

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        var healthy = await server.PostForJsonAsync("/v1/completions", CompletionBody("The dog", 8, seed: 1, stream: false));
        Assert.Equal("length", healthy.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task A_hub_stream_whose_sequence_fails_ends_with_a_server_error_and_the_hub_keeps_serving()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 2, ContextSize = 256, Threads = 1 });
        var calls = 0;
        server.Server.Scheduler!.BeforeSampling = _ =>
        {
            if (++calls == 3) throw new InvalidOperationException("injected sampler fault");
        };
        await using var hub = await ChatHubConnection.StartAsync(server.BaseAddress);
        var request = new { messages = new[] { new { role = "user", content = "Hi" } }, maxTokens = 16, temperature = 0.0 };

        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<JsonElement>("StreamChat", request)) { }
        });

        Assert.Contains("HubException: server_error: generation failed: injected sampler fault", error.Message, StringComparison.Ordinal);
        var items = new List<JsonElement>();
        await foreach (var item in hub.StreamAsync<JsonElement>("StreamChat", request)) items.Add(item);
        Assert.NotEqual(JsonValueKind.Null, items[^1].GetProperty("summary").ValueKind);
    }

    private static string CompletionBody(string prompt, int maxTokens, ulong seed, bool ignoreEos = false, bool stream = true) =>
        JsonSerializer.Serialize(new { prompt, max_tokens = maxTokens, temperature = 0, seed, ignore_eos = ignoreEos, stream });

    private sealed record StreamResult(string Text, JsonElement? Error, bool Done);

    /// <summary>Reads a whole completions stream: the text of its chunks, the error event if one came, and whether [DONE] ended it.</summary>
    private static async Task<StreamResult> StreamTextAsync(TestServer server, string body)
    {
        using var response = await server.PostStreamingAsync("/v1/completions", body);
        Assert.Equal(200, (int)response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n\n", raw, StringComparison.Ordinal);
        var text = new System.Text.StringBuilder();
        JsonElement? error = null;
        var done = false;
        foreach (var sseEvent in raw[..^2].Split("\n\n"))
        {
            Assert.False(done, "nothing may follow [DONE]");
            var lines = sseEvent.Split('\n');
            var data = lines[^1];
            Assert.StartsWith("data: ", data, StringComparison.Ordinal);
            data = data["data: ".Length..];
            if (lines.Length == 2)
            {
                Assert.Equal("event: error", lines[0]);
                error = JsonDocument.Parse(data).RootElement.GetProperty("error").Clone();
                continue;
            }
            Assert.Single(lines);
            if (data == "[DONE]")
            {
                done = true;
                continue;
            }
            text.Append(JsonDocument.Parse(data).RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
        }
        return new StreamResult(text.ToString(), error, done);
    }
}
