using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ChatEngine.Kernels;
using ChatEngine.Runtime;

namespace ChatEngine.Cli.Commands;

/// <summary><c>bench -m MODEL -p 512 -n 128 -t T -r R</c>: prefill and decode tokens/s in the manner of llama-bench.</summary>
internal static class BenchCommand
{
    private static readonly JsonSerializerOptions OmitNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static Command Create()
    {
        var model = CommonOptions.Model();
        var prompt = new Option<int>("--n-prompt", "-p") { Description = "prompt tokens (ppN)", DefaultValueFactory = _ => 512 };
        var generate = new Option<int>("--n-gen", "-n") { Description = "generated tokens (tgN)", DefaultValueFactory = _ => 128 };
        var repetitions = CommonOptions.Positive("--repetitions", "-r", "measured repetitions after one warm-up", 5);
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var bandwidth = new Option<bool>("--bandwidth")
        {
            Description = "also measure the memory read bandwidth of the same threads and report decode as a fraction of its limit",
        };
        var command = new Command("bench", "prefill and decode speed (llama-bench style)") { model, prompt, generate, repetitions, threads, json, bandwidth };
        var cacheTypes = new CacheTypeOptions();
        cacheTypes.AddTo(command);
        command.SetAction(parse =>
        {
            var (p, n) = (parse.GetValue(prompt), parse.GetValue(generate));
            if (p < 0 || n < 0 || p + n == 0) throw new CliUsageException("--n-prompt and --n-gen must be >= 0 and not both 0");
            var path = parse.GetValue(model)!.FullName;
            using var lm = LanguageModel.Load(path, parse.GetValue(threads));
            cacheTypes.ApplyTo(parse, lm);
            var asJson = parse.GetValue(json);
            var result = SpeedBenchmark.Run(lm, p, n, parse.GetValue(repetitions), asJson ? null : Console.Error.WriteLine);
            var peakRss = Process.GetCurrentProcess().PeakWorkingSet64;
            var limit = parse.GetValue(bandwidth) ? DecodeLimit.Measure(lm, result.Decode.TokensPerSecond) : null;
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = Path.GetFileName(path),
                    threads = result.Threads,
                    prefill = new { tokens = p, tokens_per_second = result.Prefill.TokensPerSecond, stddev = result.Prefill.StandardDeviation },
                    decode = new { tokens = n, tokens_per_second = result.Decode.TokensPerSecond, stddev = result.Decode.StandardDeviation },
                    peak_rss_bytes = peakRss,
                    kv_cache_type_k = lm.CacheFormat.Keys.ToString().ToLowerInvariant(),
                    kv_cache_type_v = lm.CacheFormat.Values.ToString().ToLowerInvariant(),
                    kv_cache_bytes_per_token = lm.CacheFormat.BytesPerToken(lm.Parameters),
                    read_bandwidth_bytes_per_second = limit?.ReadBytesPerSecond,
                    weight_bytes_per_token = limit?.BytesPerToken,
                    decode_bandwidth_fraction = limit?.Fraction,
                }, OmitNulls));
            }
            else
            {
                Console.WriteLine($"| model | threads | test | t/s |");
                Console.WriteLine($"|---|---|---|---|");
                if (p > 0) Console.WriteLine($"| {Path.GetFileName(path)} | {result.Threads} | pp{p} | {result.Prefill.TokensPerSecond:F2} ± {result.Prefill.StandardDeviation:F2} |");
                if (n > 0) Console.WriteLine($"| {Path.GetFileName(path)} | {result.Threads} | tg{n} | {result.Decode.TokensPerSecond:F2} ± {result.Decode.StandardDeviation:F2} |");
                Console.WriteLine($"peak RSS: {peakRss / (1024.0 * 1024.0):F1} MiB; KV cache ({lm.CacheFormat}): {lm.CacheFormat.BytesPerToken(lm.Parameters) / 1024.0:F1} KiB per token");
                if (limit is { } l)
                    Console.WriteLine($"memory read bandwidth ({result.Threads} threads): {l.ReadBytesPerSecond / 1e9:F1} GB/s; weights read per token: " +
                        $"{l.BytesPerToken / 1e6:F1} MB; decode limit {l.TokensPerSecondLimit:F1} t/s; decode at {100 * l.Fraction:F0}% of it");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Decode speed against the fastest a decoder could go if it only had to read every weight once per token.</summary>
    private sealed record DecodeLimit(double ReadBytesPerSecond, long BytesPerToken, double Fraction)
    {
        public double TokensPerSecondLimit => ReadBytesPerSecond / BytesPerToken;

        public static DecodeLimit Measure(LanguageModel lm, double decodeTokensPerSecond)
        {
            var read = MemoryBandwidth.MeasureReadBytesPerSecond(lm.Pool);
            var perToken = lm.Weights.BytesReadPerToken;
            return new DecodeLimit(read, perToken, decodeTokensPerSecond * perToken / read);
        }
    }
}
