using System.Globalization;
using ChatEngine.Gguf;
using ChatEngine.Runtime.Synthesis;
using ChatEngine.Text;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Server.Tests;

/// <summary>
/// The llama.cpp anchor workload (../shared/golden/server-anchor.md) against our server on a random-weight file of a
/// real model's shapes: aggregate and per-stream decode rate, TTFT and inter-token latency for 1, 4 and 16 clients, and
/// the prefix-cache TTFT. Prints the table for docs/performance.md (a figure, not a pass/fail goal: it depends on the
/// machine and its load); asserts only that batching changes no output. Slow: run explicitly (.ci/run does) with
/// <c>dotnet test tests/ChatEngine.Server.Tests -c Release --filter Suite=ServerLoad --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Benchmark")]
[Trait("Suite", "ServerLoad")]
public sealed class ServerThroughputBenchmarks(ITestOutputHelper output)
{
    private const int PromptTokens = 33;
    private const int CompletionTokens = 64;
    private const int RequestsPerClient = 2;

    [Theory]
    [InlineData("smollm2-135m", "Q8_0")]
    public async Task Anchor_workload_figures_with_every_batched_stream_equal_to_its_solo_output(string shape, string type)
    {
        var path = SyntheticModel(shape, type);
        var label = $"{shape} {type}";
        var eos = EndOfGeneration(path);
        await using var server = await TestServer.StartAsync(o => o with
        {
            ModelPath = path, Parallel = 16, ContextSize = 512, QueueLimit = 16, Threads = Math.Min(2, Environment.ProcessorCount),
        });
        server.Http.Timeout = TimeSpan.FromMinutes(10);
        await StreamingLoad.RunAsync(server, 1, 1, (_, _) => Body(Prompt(999, 0, PromptTokens), 8, eos));

        var waves = new List<StreamingLoad.Wave>();
        foreach (var clients in new[] { 1, 4, 16 })
            waves.Add(await StreamingLoad.RunAsync(server, clients, RequestsPerClient, (c, r) => Body(Prompt(c, r, PromptTokens), CompletionTokens, eos)));

        output.WriteLine($"{Environment.ProcessorCount} cores, {server.Server.Options.Threads} compute threads, 16 slots x 512 context");
        output.WriteLine(StreamingLoad.TableHeader);
        foreach (var wave in waves) output.WriteLine(wave.Row(label));
        var metrics = await PrometheusScrape.FetchAsync(server);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"aggregate 16 clients / 1 client: {waves[2].AggregateTokensPerSecond / waves[0].AggregateTokensPerSecond:F2}x; tokens per forward pass: " +
            $"{(metrics.Value("chatengine_decode_tokens_total") + metrics.Value("chatengine_prefill_tokens_total")) / metrics.Value("chatengine_forward_passes_total"):F1}; " +
            $"load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a")}"));

        // Client c sends the same prompts in every wave: batched with 3 or 15 others it must write what it wrote alone.
        foreach (var wave in waves.Skip(1))
        {
            for (var r = 0; r < RequestsPerClient; r++) Assert.Equal(waves[0].PerClient[0][r].Text, wave.PerClient[0][r].Text);
            Assert.All(wave.Streams, s => Assert.Equal(CompletionTokens, s.CompletionTokens));
        }
        Assert.Equal(waves[1].PerClient.Select(c => c[0].Text), waves[2].PerClient.Take(4).Select(c => c[0].Text));

        await PrefixCacheTimingAsync(server, label, eos);
    }

    /// <summary>The anchor's prefix-cache case: a 489-token prompt, then the same plus an 11-token suffix.</summary>
    private async Task PrefixCacheTimingAsync(TestServer server, string label, int eos)
    {
        var prefix = Prompt(500, 0, 489);
        var first = await StreamingLoad.StreamAsync(server, Body(prefix, 8, eos));
        var second = await StreamingLoad.StreamAsync(server, Body([.. prefix, .. Prompt(501, 0, 12)[1..]], 8, eos));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | request 1 TTFT {first.TimeToFirstToken * 1000:F0} ms ({first.CachedTokens} cached) | " +
            $"request 2 TTFT {second.TimeToFirstToken * 1000:F0} ms ({second.CachedTokens} cached, {500 - second.CachedTokens} evaluated) |"));
        Assert.Equal(489, second.CachedTokens);
    }

    private static string Body(int[] prompt, int maxTokens, int eos) =>
        $$$"""{"prompt":[{{{string.Join(',', prompt)}}}],"max_tokens":{{{maxTokens}}},"temperature":0,"stream":true,"stream_options":{"include_usage":true},"logit_bias":{"{{{eos}}}":-100}}""";

    /// <summary>BOS and then tokens that depend only on (client, request): every prompt has its own prefix.</summary>
    private static int[] Prompt(int client, int request, int length)
    {
        var random = new Random(client * 1000 + request);
        return [1, .. Enumerable.Range(0, length - 1).Select(_ => random.Next(259, 4000))];
    }

    private static int EndOfGeneration(string path)
    {
        using var file = GgufFile.Open(path);
        return Tokenizer.FromGguf(file.Metadata).EosTokenId;
    }

    /// <summary>The random-weight file of <paramref name="shape"/> in <paramref name="type"/>, written once per machine.</summary>
    private static string SyntheticModel(string shape, string type)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatengine-bench");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{shape}-{type}.gguf");
        if (File.Exists(path)) return path;
        var partial = path + ".partial";
        SyntheticModelWriter.Write(partial, ModelShape.Find(shape), Enum.Parse<GgmlType>(type));
        File.Move(partial, path, overwrite: true);
        return path;
    }
}
