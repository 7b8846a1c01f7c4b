using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Reports;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Running;

/// <summary>What one <c>eval run</c> does: the suite, where to send it, the levels and budget, and labels for the report.</summary>
public sealed record EvalPlan(BenchSuite Suite, string Model, IReadOnlyList<int> Concurrency, RunBudget Budget, TimeSpan Timeout, string Label, string? MachineDescription)
{
    /// <summary>Requests sent (and not measured) before the first level, so that start-up costs stay out of the figures.</summary>
    public int WarmupRequests { get; init; } = 1;

    /// <summary>
    /// Each level gets its own requests (level k starts after the warm-up and k levels' worth), so a server's prefix
    /// cache cannot reuse one level's prompts in the next. For synthetic workloads, built with enough requests.
    /// </summary>
    public bool DistinctRequestsPerLevel { get; init; }

    /// <summary>Open-loop arrivals within each level (<c>--request-rate</c>); null: each worker sends its next request at once.</summary>
    public ArrivalSchedule? Arrivals { get; init; }

    /// <summary>The objective goodput is counted against (<c>--goodput</c>); null: no goodput.</summary>
    public ServiceLevel? ServiceLevel { get; init; }
}

/// <summary>
/// Runs every concurrency level of a plan in order against one target and assembles the <see cref="EvalResult"/>.
/// On cancellation (Ctrl+C) it stops after the level in progress and returns what finished, marked interrupted.
/// </summary>
public static class EvalRunner
{
    public static async Task<EvalResult> RunAsync(EvalPlan plan, IRequestTarget target, IProgress<LevelProgress>? progress, CancellationToken cancellation)
    {
        var runner = new LoadRunner(target, plan.Suite.Requests);
        var levels = new List<LevelResult>();
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < plan.WarmupRequests && !cancellation.IsCancellationRequested; i++)
        {
            try
            {
                await target.SendAsync(plan.Suite.Requests[i % plan.Suite.Requests.Count], start, cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                break;
            }
        }
        for (var k = 0; k < plan.Concurrency.Count; k++)
        {
            if (cancellation.IsCancellationRequested) break;
            var firstRequest = plan.DistinctRequestsPerLevel ? plan.WarmupRequests + k * (plan.Budget.Requests ?? 0) : 0;
            var level = await runner.RunLevelAsync(plan.Concurrency[k], plan.Budget, progress, cancellation, firstRequest, plan.Arrivals, plan.ServiceLevel);
            if (level.Requests.Count > 0 || !cancellation.IsCancellationRequested) levels.Add(level);
        }
        return new EvalResult
        {
            Label = plan.Label,
            CreatedUtc = DateTimeOffset.UtcNow,
            Target = new TargetInfo(target.Kind, target.Location, plan.Model),
            Suite = new SuiteInfo(plan.Suite.Name, plan.Suite.Path, plan.Suite.Sha256, plan.Suite.Requests.Count),
            Settings = new RunSettings(plan.Concurrency, plan.Budget.Requests, plan.Budget.Duration?.TotalSeconds, plan.Timeout.TotalSeconds, plan.WarmupRequests,
                plan.Arrivals?.RequestsPerSecond, plan.ServiceLevel?.ToString()),
            Machine = MachineInfo.Current(plan.MachineDescription),
            Interrupted = cancellation.IsCancellationRequested,
            Levels = levels,
        };
    }
}
