using System.Collections.Concurrent;
using ChatEngine.Eval.Reports;
using ChatEngine.Eval.Running;
using Spectre.Console;

namespace ChatEngine.Eval.Commands;

/// <summary>
/// Runs a plan while showing progress: Spectre.Console bars (one per concurrency level) on an interactive terminal
/// (see <see cref="ConsoleProgress.Live"/>), otherwise a status line on stderr at most once a second.
/// </summary>
internal static class ProgressDisplay
{
    public static Task<EvalResult> RunAsync(EvalPlan plan, IRequestTarget target, CancellationToken cancellation)
    {
        if (!ConsoleProgress.Live)
            return EvalRunner.RunAsync(plan, target, new PlainProgress(), cancellation);
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bars = new ConcurrentDictionary<int, ProgressTask>();
                var progress = new SynchronousProgress(p =>
                {
                    var bar = bars.GetOrAdd(p.Concurrency, c => context.AddTask($"concurrency {c}", maxValue: 1));
                    bar.Description = $"concurrency {p.Concurrency}: {p.Completed} done, {p.Failed} failed";
                    bar.Value = p.Fraction;
                });
                var result = await EvalRunner.RunAsync(plan, target, progress, cancellation);
                foreach (var bar in bars.Values) bar.StopTask();
                return result;
            });
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(Action<LevelProgress> report) : IProgress<LevelProgress>
    {
        public void Report(LevelProgress value) => report(value);
    }

    private sealed class PlainProgress : IProgress<LevelProgress>
    {
        private readonly ConsoleProgress _lines = new();

        public void Report(LevelProgress value) =>
            _lines.Report($"concurrency {value.Concurrency}: {value.Completed} done, {value.Failed} failed, {value.Elapsed.TotalSeconds:0.0} s", value.Fraction >= 1);
    }
}
