using System.Collections.Concurrent;
using System.Diagnostics;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Running;

/// <summary>
/// Runs one concurrency level: that many workers each send a request, wait for it to end, and send the next, cycling
/// through the suite in order, until the budget is spent. A failed request is recorded and the worker goes on.
/// When <c>cancellation</c> fires the workers stop; requests cut short are dropped, finished ones are kept.
/// </summary>
public sealed class LoadRunner(IRequestTarget target, IReadOnlyList<BenchRequest> requests)
{
    public async Task<LevelResult> RunLevelAsync(int concurrency, RunBudget budget, IProgress<LevelProgress>? progress, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var results = new ConcurrentQueue<RequestResult>();
        var start = Stopwatch.GetTimestamp();
        var issued = -1;
        var failed = 0;

        async Task Worker()
        {
            while (!cancellation.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref issued);
                if (!budget.Allows(index, Stopwatch.GetElapsedTime(start))) return;
                RequestResult result;
                try
                {
                    result = await target.SendAsync(requests[index % requests.Count], start, cancellation);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    return;
                }
                if (!result.Succeeded) Interlocked.Increment(ref failed);
                results.Enqueue(result);
                progress?.Report(new LevelProgress(concurrency, results.Count, Volatile.Read(ref failed), Stopwatch.GetElapsedTime(start), budget));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, CancellationToken.None)));
        var duration = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var ordered = results.OrderBy(r => r.StartMs).ToArray();
        return new LevelResult(LevelSummary.From(concurrency, duration, ordered), ordered);
    }
}
