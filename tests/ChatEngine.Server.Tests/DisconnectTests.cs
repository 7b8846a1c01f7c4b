using System.Text;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>Clients that leave mid-stream must not leave anything behind: slot, KV cache, queue place.</summary>
public sealed class DisconnectTests
{
    private const int Clients = 50;
    // With context shift a sequence cannot reach this: only its client leaving can end it, however late the server
    // notices (a loaded machine can delay that by seconds, and a limit in reach then ends the sequence by length).
    private const int MaxTokens = 1_000_000;

    [Fact]
    public async Task Fifty_clients_leaving_mid_stream_free_every_slot_and_all_kv_memory()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 8, ContextSize = 2048, QueueLimit = Clients, Threads = 2, ContextShift = true });
        var eos = Reference.Model.Tokenizer.EosTokenId;
        // Each client closes its socket as soon as its first token arrives (no draining the response for reuse).
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = server.BaseAddress };

        var received = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async i =>
        {
            using var abort = new CancellationTokenSource();
            var body = $$$"""{"prompt":"Once upon a time number {{{i}}}","max_tokens":{{{MaxTokens}}},"temperature":0,"stream":true,"logit_bias":{"{{{eos}}}":-100}}""";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
            Assert.True(response.IsSuccessStatusCode, $"client {i}: {(int)response.StatusCode}");
            await using var stream = await response.Content.ReadAsStreamAsync(abort.Token);
            var first = await SseEvents.StreamAsync(stream, abort.Token).FirstAsync(abort.Token);
            await abort.CancelAsync();
            return SseEvents.Json(first).GetProperty("choices")[0].GetProperty("text").GetString();
        }));

        var settled = await WaitUntilAsync(server, TimeSpan.FromSeconds(30), m =>
            m.Value("chatengine_slots_active") == 0 && m.Value("chatengine_queue_depth") == 0
            && m.Value("chatengine_requests_finished_total", "outcome=\"cancelled\"") == Clients);
        var health = await server.Http.GetFromJsonAsync("/health");
        var expected = Reference.Greedy(Reference.TextPrompt("Once upon a time"), 16);
        var answer = await server.PostForJsonAsync("/v1/completions", """{"prompt":"Once upon a time","max_tokens":16,"temperature":0}""");

        Assert.All(received, text => Assert.False(string.IsNullOrEmpty(text)));
        Assert.Equal(0, settled.Value("chatengine_kv_cache_tokens", "state=\"active\""));
        Assert.Equal(0, settled.Value("chatengine_kv_cache_tokens", "state=\"cached\""));
        Assert.Equal(0, settled.Value("chatengine_requests_finished_total", "outcome=\"length\""));
        Assert.Equal(0, settled.Value("chatengine_requests_finished_total", "outcome=\"failed\""));
        Assert.Equal(0, health.GetProperty("slots_processing").GetInt32());
        Assert.Equal(8, health.GetProperty("slots_idle").GetInt32());
        Assert.Equal(0, health.GetProperty("requests_queued").GetInt32());
        Assert.Equal(Clients, server.Server.CancelledSequences);
        Assert.Equal(expected.Text, answer.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    private static async Task<PrometheusScrape> WaitUntilAsync(TestServer server, TimeSpan timeout, Func<PrometheusScrape, bool> condition)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var metrics = await PrometheusScrape.FetchAsync(server);
            if (condition(metrics)) return metrics;
            Assert.True(DateTime.UtcNow < deadline, $"not settled after {timeout}: active slots {metrics.Value("chatengine_slots_active")}, " +
                $"queued {metrics.Value("chatengine_queue_depth")}, finished by outcome: " +
                string.Join(", ", Enum.GetValues<Runtime.Serving.SequenceOutcome>().Select(o => o.ToString().ToLowerInvariant())
                    .Select(o => $"{o} {metrics.Value("chatengine_requests_finished_total", $"outcome=\"{o}\"")}")) +
                $", completion tokens {metrics.Value("chatengine_completion_tokens_total")}");
            await Task.Delay(20);
        }
    }
}
