using ChatEngine.Eval.Measurement;

namespace ChatEngine.Eval.Reports;

/// <summary>The report of one run: settings, a row of metrics per concurrency level, errors, quality, plots.</summary>
public static class RunReport
{
    private const int ErrorExamples = 5;

    public static ReportDocument Build(EvalResult result)
    {
        var sections = new List<ReportSection>
        {
            new("Setup") { Lines = Setup(result) },
            new("Results per concurrency level")
            {
                Lines = ["Latencies are client-side over streaming (TTFT: request sent → first content; ITL: gaps between content events). " +
                         "Output tok/s is all output tokens of successful requests over the level's wall time; per stream is (tokens − 1) / (e2e − TTFT)."],
                Tables = [MetricTable(result)],
            },
        };
        if (result.Levels.Any(l => l.Summary.Failed > 0)) sections.Add(new ReportSection("Errors") { Lines = Errors(result) });
        if (Quality(result) is { Count: > 0 } quality) sections.Add(new ReportSection("Quality") { Lines = quality });
        sections.Add(new ReportSection("Plots") { Charts = ReportCharts.For([result]) });
        return new ReportDocument($"Eval: {result.Label}", sections);
    }

    private static List<string> Setup(EvalResult result)
    {
        var budget = result.Settings.RequestsPerLevel is { } n ? $"{n} requests per level" : $"{result.Settings.DurationS:0.#} s per level";
        var lines = new List<string>
        {
            $"- target: {result.Target.Kind} `{result.Target.Location}`, model `{result.Target.Model}`",
            $"- suite: `{result.Suite.Name}` ({result.Suite.Requests} prompts, sha256 {result.Suite.Sha256[..12]}…)",
            $"- concurrency {string.Join(", ", result.Settings.Concurrency)}; {budget}; timeout {result.Settings.TimeoutS:0.#} s",
            $"- machine: {result.Machine.Description ?? "(not described)"}; {result.Machine.ProcessorCount} logical cores, {result.Machine.Os}",
            $"- run at {result.CreatedUtc:yyyy-MM-dd HH:mm} UTC; token counts from {TokenSources(result)}",
        };
        if (result.Interrupted) lines.Add("- **interrupted** (Ctrl+C or SIGTERM): the figures cover the requests that finished before it.");
        return lines;
    }

    private static string TokenSources(EvalResult result)
    {
        var sources = result.Levels.SelectMany(l => l.Requests).Where(r => r.Succeeded).Select(r => ResultJson.EnumName(r.TokenSource)).Distinct().ToArray();
        return sources.Length == 0 ? "nowhere (no successful request)" : string.Join(", ", sources);
    }

    private static ReportTable MetricTable(EvalResult result) =>
        new(["concurrency", .. LevelMetric.All.Select(m => m.Name)],
            [.. result.Levels.Select(l => (IReadOnlyList<string>)[l.Summary.Concurrency.ToString(), .. LevelMetric.All.Select(m => m.Cell(l.Summary))])]);

    private static List<string> Errors(EvalResult result)
    {
        var lines = new List<string>();
        foreach (var level in result.Levels.Where(l => l.Summary.Failed > 0))
        {
            var kinds = string.Join(", ", level.Summary.ErrorsByKind.Select(k => $"{k.Key} {k.Value}"));
            lines.Add($"- concurrency {level.Summary.Concurrency}: {level.Summary.Failed} of {level.Summary.Requests} failed ({level.Summary.ErrorRate * 100:0.0}%): {kinds}");
            foreach (var failed in level.Requests.Where(r => !r.Succeeded).Take(ErrorExamples))
                lines.Add($"  - `{failed.RequestId}`: {failed.ErrorMessage}");
        }
        return lines;
    }

    private static List<string> Quality(EvalResult result)
    {
        var lines = result.Levels.Where(l => l.Summary.Checked > 0)
            .Select(l => $"- concurrency {l.Summary.Concurrency}: {l.Summary.ChecksPassed} of {l.Summary.Checked} answers passed their check")
            .ToList();
        if (result.Perplexity is { } ppl)
            lines.Add($"- perplexity on `{ppl.File}`: {ppl.Perplexity:F4} ({ppl.Chunks} chunks of {ppl.ContextSize} tokens, {ppl.Tokens} tokens)");
        return lines;
    }
}
