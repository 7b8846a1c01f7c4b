namespace ChatEngine.Eval.Reports;

/// <summary>Several result files side by side: one table per metric (a row per concurrency, a column per result) and shared plots.</summary>
public static class ComparisonReport
{
    public static ReportDocument Build(IReadOnlyList<EvalResult> results)
    {
        var labels = Labels(results);
        var sources = results.Select((r, i) =>
            $"- **{labels[i]}**: {r.Target.Kind} `{r.Target.Location}`, model `{r.Target.Model}`, suite `{r.Suite.Name}`, {r.CreatedUtc:yyyy-MM-dd HH:mm} UTC" +
            (r.Interrupted ? " (interrupted)" : "")).ToList();
        if (results.Select(r => r.Suite.Sha256).Distinct().Count() > 1) sources.Add("- note: the results come from different suite files, so the work differs.");
        var levels = results.SelectMany(r => r.Levels).Select(l => l.Summary.Concurrency).Distinct().Order().ToArray();
        var tables = LevelMetric.Compared.Select(metric => new ReportTable(
            ["concurrency", .. labels],
            [.. levels.Select(c => (IReadOnlyList<string>)[c.ToString(), .. results.Select(r =>
                r.Levels.FirstOrDefault(l => l.Summary.Concurrency == c) is { } level ? metric.Cell(level.Summary) : "–")])],
            metric.Name)).ToArray();
        var labelled = results.Select((r, i) => r with { Label = labels[i] }).ToArray();
        return new ReportDocument($"Eval comparison: {string.Join(" vs ", labels)}",
        [
            new ReportSection("Results") { Lines = sources },
            new ReportSection("Metrics") { Tables = tables },
            new ReportSection("Plots") { Charts = ReportCharts.For(labelled) },
        ]);
    }

    /// <summary>The results' labels, numbered when two are the same.</summary>
    private static string[] Labels(IReadOnlyList<EvalResult> results) =>
        [.. results.Select((r, i) => results.Count(o => o.Label == r.Label) > 1 ? $"{r.Label} #{i + 1}" : r.Label)];
}
