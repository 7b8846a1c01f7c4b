using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Reports.Svg;

namespace ChatEngine.Eval.Reports;

/// <summary>
/// The plots of a report, for one result or several side by side: throughput vs concurrency, TTFT and ITL
/// percentiles vs concurrency, and the TTFT CDF of each level. Series are named by result label when there are several.
/// </summary>
public static class ReportCharts
{
    public static IReadOnlyList<(string FileName, LineChart Chart)> For(IReadOnlyList<EvalResult> results)
    {
        const bool logX = true;
        return
        [
            ("throughput.svg", new LineChart("Output throughput vs concurrency", "concurrent requests", "output tokens/s",
                Series(results, [("aggregate", s => s.OutputTokensPerSecond, LineStyle.Solid), ("per stream (mean)", s => s.StreamTokensPerSecond.Mean, LineStyle.Dashed)]), logX)),
            ("ttft-percentiles.svg", new LineChart("Time to first token", "concurrent requests", "milliseconds",
                Series(results, Percentiles(results.Count, s => s.TtftMs)), logX)),
            ("itl-percentiles.svg", new LineChart("Inter-token latency", "concurrent requests", "milliseconds",
                Series(results, Percentiles(results.Count, s => s.ItlMs)), logX)),
            ("ttft-cdf.svg", new LineChart("TTFT distribution (CDF)", "time to first token (ms)", "fraction of requests", TtftCdf(results))),
        ];
    }

    private static (string, Func<LevelSummary, double?>, LineStyle)[] Percentiles(int resultCount, Func<LevelSummary, Distribution> of) =>
        resultCount == 1
            ? [("p50", s => of(s).P50, LineStyle.Solid), ("p90", s => of(s).P90, LineStyle.Dashed), ("p99", s => of(s).P99, LineStyle.Dotted)]
            : [("p50", s => of(s).P50, LineStyle.Solid), ("p99", s => of(s).P99, LineStyle.Dotted)];

    private static List<ChartSeries> Series(IReadOnlyList<EvalResult> results, IReadOnlyList<(string Name, Func<LevelSummary, double?> Value, LineStyle Style)> lines)
    {
        var series = new List<ChartSeries>();
        foreach (var result in results)
        {
            foreach (var (name, value, style) in lines)
            {
                var points = result.Levels.Select(l => (X: (double)l.Summary.Concurrency, Y: value(l.Summary)))
                    .Where(p => p.Y is not null).Select(p => (p.X, p.Y!.Value)).ToArray();
                series.Add(new ChartSeries(SeriesName(results, result, name), points, style));
            }
        }
        return series;
    }

    private static List<ChartSeries> TtftCdf(IReadOnlyList<EvalResult> results)
    {
        var series = new List<ChartSeries>();
        foreach (var result in results)
        {
            foreach (var level in result.Levels)
            {
                var ttfts = level.Requests.Where(r => r.Succeeded).Select(r => r.TtftMs).OfType<double>().Order().ToArray();
                if (ttfts.Length == 0) continue;
                var points = new List<(double, double)> { (ttfts[0], 0) };
                for (var i = 0; i < ttfts.Length; i++) points.Add((ttfts[i], (i + 1.0) / ttfts.Length));
                series.Add(new ChartSeries(SeriesName(results, result, $"concurrency {level.Summary.Concurrency}"), points, Step: true));
            }
        }
        return series;
    }

    private static string SeriesName(IReadOnlyList<EvalResult> results, EvalResult result, string name) =>
        results.Count == 1 ? name : $"{result.Label} {name}";
}
