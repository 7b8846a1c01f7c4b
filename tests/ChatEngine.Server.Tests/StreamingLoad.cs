using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// A load client in the shape of the llama.cpp anchor measurement (../shared/golden/server-anchor.md): C clients, each
/// sending its requests back to back as streaming <c>POST /v1/completions</c>, timing every chunk. Aggregate = completion
/// tokens / wave wall time (prefill included); per-stream = (tokens - 1) / (last - first token time); TTFT and the gaps
/// between chunks are pooled over the wave.
/// </summary>
public static class StreamingLoad
{
    /// <summary>One streamed completion; times in seconds on the wave's clock.</summary>
    public sealed record Stream(string Text, int CompletionTokens, int CachedTokens, double TimeToFirstToken, IReadOnlyList<double> ChunkTimes);

    public sealed record Wave(int Clients, Stream[][] PerClient, double WallSeconds)
    {
        public IEnumerable<Stream> Streams => PerClient.SelectMany(s => s);

        public double AggregateTokensPerSecond => Streams.Sum(s => s.CompletionTokens) / WallSeconds;

        public double PerStreamTokensPerSecond => Streams
            .Where(s => s.ChunkTimes.Count > 1)
            .Average(s => (s.CompletionTokens - 1) / (s.ChunkTimes[^1] - s.ChunkTimes[0]));

        public IReadOnlyList<double> InterTokenGaps => Streams
            .SelectMany(s => s.ChunkTimes.Zip(s.ChunkTimes.Skip(1), (a, b) => b - a)).Order().ToList();

        public string Row(string label)
        {
            var ttft = Streams.Select(s => s.TimeToFirstToken).Order().ToList();
            var gaps = InterTokenGaps;
            return string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {Clients} | {AggregateTokensPerSecond:F1} | {PerStreamTokensPerSecond:F1} | " +
                $"{Percentile(ttft, 0.5) * 1000:F0} / {Percentile(ttft, 0.9) * 1000:F0} ms | " +
                $"{gaps.Average() * 1000:F1} / {Percentile(gaps, 0.9) * 1000:F1} ms ({gaps[^1] * 1000:F0} ms) |");
        }
    }

    public const string TableHeader = "| model | clients | aggregate t/s | per-stream t/s | TTFT p50 / p90 | ITL mean / p90 (max stall) |\n|---|---|---|---|---|---|";

    /// <summary>Runs <paramref name="clients"/> clients with <paramref name="requestsEach"/> requests each; the body of
    /// client c's request r is <paramref name="body"/>(c, r) (it must ask for a stream with usage).</summary>
    public static async Task<Wave> RunAsync(TestServer server, int clients, int requestsEach, Func<int, int, string> body)
    {
        var clock = Stopwatch.StartNew();
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var streams = new Stream[requestsEach];
            for (var r = 0; r < requestsEach; r++) streams[r] = await StreamAsync(server, body(client, r), clock);
            return streams;
        }));
        return new Wave(clients, perClient, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Sends one streaming completion request (<paramref name="body"/> must ask for usage) and reads it to the end.</summary>
    public static async Task<Stream> StreamAsync(TestServer server, string body, Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        var sent = clock.Elapsed.TotalSeconds;
        using var response = await server.PostStreamingAsync("/v1/completions", body);
        if (!response.IsSuccessStatusCode) Assert.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await using var stream = await response.Content.ReadAsStreamAsync();
        var text = new StringBuilder();
        var times = new List<double>();
        int completionTokens = -1, cachedTokens = -1;
        await foreach (var data in SseEvents.StreamAsync(stream))
        {
            if (data == "[DONE]") break;
            var chunk = SseEvents.Json(data);
            if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                completionTokens = usage.GetProperty("completion_tokens").GetInt32();
                cachedTokens = usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
            }
            var choices = chunk.GetProperty("choices");
            if (choices.GetArrayLength() == 0) continue;
            var piece = choices[0].GetProperty("text").GetString()!;
            if (piece.Length == 0) continue;
            times.Add(clock.Elapsed.TotalSeconds);
            text.Append(piece);
        }
        Assert.True(completionTokens >= 0, "the stream carried no usage chunk");
        return new Stream(text.ToString(), completionTokens, cachedTokens, times.Count > 0 ? times[0] - sent : double.NaN, times);
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
