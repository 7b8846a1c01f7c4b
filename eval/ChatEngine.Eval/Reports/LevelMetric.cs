using ChatEngine.Eval.Measurement;

namespace ChatEngine.Eval.Reports;

/// <summary>A column of the report tables: a name and how to read and format it from a level's summary.</summary>
public sealed record LevelMetric(string Name, Func<LevelSummary, double?> Value, string Format)
{
    public string Cell(LevelSummary summary) => Value(summary) is { } v ? v.ToString(Format) : "–";

    public static IReadOnlyList<LevelMetric> All { get; } =
    [
        new("requests", s => s.Requests, "0"),
        new("errors", s => s.Failed, "0"),
        new("req/s", s => s.RequestsPerSecond, "0.00"),
        new("goodput req/s", s => s.GoodputRequestsPerSecond, "0.00"),
        new("output tok/s", s => s.OutputTokensPerSecond, "0.0"),
        new("tok/s per stream (mean)", s => s.StreamTokensPerSecond.Mean, "0.0"),
        new("TTFT p50 ms", s => s.TtftMs.P50, "0.0"),
        new("TTFT p90 ms", s => s.TtftMs.P90, "0.0"),
        new("TTFT p99 ms", s => s.TtftMs.P99, "0.0"),
        new("TTFT max ms", s => s.TtftMs.Max, "0.0"),
        new("TPOT p50 ms", s => s.TpotMs.P50, "0.00"),
        new("TPOT p90 ms", s => s.TpotMs.P90, "0.00"),
        new("TPOT p99 ms", s => s.TpotMs.P99, "0.00"),
        new("TPOT max ms", s => s.TpotMs.Max, "0.00"),
        new("ITL p50 ms", s => s.ItlMs.P50, "0.00"),
        new("ITL p90 ms", s => s.ItlMs.P90, "0.00"),
        new("ITL p99 ms", s => s.ItlMs.P99, "0.00"),
        new("ITL max ms", s => s.ItlMs.Max, "0.00"),
        new("e2e p50 ms", s => s.E2eMs.P50, "0"),
        new("e2e p99 ms", s => s.E2eMs.P99, "0"),
    ];

    /// <summary>The metrics put side by side by <c>eval compare</c>.</summary>
    public static IReadOnlyList<LevelMetric> Compared { get; } =
        [.. All.Where(m => m.Name is "output tok/s" or "tok/s per stream (mean)" or "req/s" or "TTFT p50 ms" or "TTFT p99 ms" or "ITL p50 ms" or "ITL p99 ms"),
         new("error rate %", s => s.ErrorRate * 100, "0.0")];
}
