using System.Collections.Concurrent;
using System.Diagnostics;
using ChatEngine.Eval.Reports;
using ChatEngine.Eval.Running;
using Spectre.Console;

namespace ChatEngine.Eval.Commands;

/// <summary>
/// Runs a plan while showing progress: Spectre.Console bars (one per concurrency level) on an interactive terminal,
/// otherwise a status line on stderr at most once a second.
/// </summary>
internal static class ProgressDisplay
{
    public static Task<EvalResult> RunAsync(EvalPlan plan, IRequestTarget target, CancellationToken cancellation)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
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
        private readonly Lock _gate = new();
        private long _lastPrinted;

        public void Report(LevelProgress value)
        {
            lock (_gate)
            {
                if (value.Fraction < 1 && Stopwatch.GetElapsedTime(_lastPrinted) < TimeSpan.FromSeconds(1)) return;
                _lastPrinted = Stopwatch.GetTimestamp();
                Console.Error.WriteLine($"concurrency {value.Concurrency}: {value.Completed} done, {value.Failed} failed, {value.Elapsed.TotalSeconds:0.0} s");
            }
        }
    }
}
