using System.Diagnostics;

namespace ChatEngine.Runtime;

/// <summary>Mean and standard deviation of a rate measured over repetitions.</summary>
public sealed record RateStatistics(int Tokens, double TokensPerSecond, double StandardDeviation);

public sealed record SpeedBenchmarkResult(RateStatistics Prefill, RateStatistics Decode, int Repetitions, int Threads);

/// <summary>
/// Measures prefill (one batch of P prompt tokens from an empty cache) and decode (N single-token steps) speed the way
/// llama-bench's ppP / tgN tests do: random tokens, a warm-up run first, mean ± stddev over repetitions.
/// </summary>
public static class SpeedBenchmark
{
    public static SpeedBenchmarkResult Run(LanguageModel model, int promptTokens, int generatedTokens, int repetitions,
        Action<string>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        var context = model.CreateContext(Math.Max(promptTokens, 1) + generatedTokens);
        var random = new Random(42);
        var vocab = model.Parameters.VocabSize;
        var prompt = Enumerable.Range(0, promptTokens).Select(_ => random.Next(vocab)).ToArray();

        log?.Invoke("warm-up");
        Measure(context, prompt, Math.Min(generatedTokens, 4), random, vocab);
        var prefill = new List<double>();
        var decode = new List<double>();
        for (var r = 0; r < repetitions; r++)
        {
            var (p, d) = Measure(context, prompt, generatedTokens, random, vocab);
            if (promptTokens > 0) prefill.Add(promptTokens / p.TotalSeconds);
            if (generatedTokens > 0) decode.Add(generatedTokens / d.TotalSeconds);
            log?.Invoke($"repetition {r + 1}/{repetitions}: pp {(promptTokens > 0 ? prefill[^1] : 0):F1} t/s, tg {(generatedTokens > 0 ? decode[^1] : 0):F1} t/s");
        }
        return new SpeedBenchmarkResult(Statistics(promptTokens, prefill), Statistics(generatedTokens, decode), repetitions, model.Pool.ThreadCount);
    }

    private static (TimeSpan Prefill, TimeSpan Decode) Measure(InferenceContext context, int[] prompt, int generated, Random random, int vocab)
    {
        context.Reset();
        var watch = Stopwatch.StartNew();
        if (prompt.Length > 0) context.Evaluate(prompt);
        var prefill = watch.Elapsed;
        // llama-bench's tgN decodes N tokens after an empty cache; we start decoding after the prompt only if there is none.
        context.Reset();
        watch.Restart();
        var token = random.Next(vocab);
        for (var i = 0; i < generated; i++) context.Evaluate([token]);
        return (prefill, watch.Elapsed);
    }

    private static RateStatistics Statistics(int tokens, List<double> rates)
    {
        if (rates.Count == 0) return new RateStatistics(tokens, 0, 0);
        var mean = rates.Average();
        var variance = rates.Count > 1 ? rates.Sum(r => (r - mean) * (r - mean)) / (rates.Count - 1) : 0;
        return new RateStatistics(tokens, mean, Math.Sqrt(variance));
    }
}
