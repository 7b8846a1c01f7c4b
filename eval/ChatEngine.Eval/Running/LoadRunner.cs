using System.Collections.Concurrent;
using System.Diagnostics;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Suites;

namespace ChatEngine.Eval.Running;

/// <summary>
/// Runs one concurrency level: that many workers each send a request, wait for it to end, and send the next, cycling
/// through the suite in order from <c>firstRequest</c>, until the budget is spent; with <c>arrivals</c> a request also
/// waits for its arrival time (open loop, the workers cap the requests in flight). A failed request is recorded and the
/// worker goes on. When <c>cancellation</c> fires the workers stop; requests cut short are dropped, finished ones are
/// kept. Goodput counts the requests that meet <c>serviceLevel</c>.
/// </summary>
public sealed class LoadRunner(IRequestTarget target, IReadOnlyList<BenchRequest> requests)
{
    public async Task<LevelResult> RunLevelAsync(int concurrency, RunBudget budget, IProgress<LevelProgress>? progress, CancellationToken cancellation,
        int firstRequest = 0, ArrivalSchedule? arrivals = null, ServiceLevel? serviceLevel = null)
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
                    if (arrivals is not null)
                    {
                        // Timers count whole milliseconds and may wake early: wait until the arrival has really come.
                        var arrival = arrivals.OffsetOf(index);
                        while (arrival - Stopwatch.GetElapsedTime(start) is var wait && wait > TimeSpan.Zero)
                            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), cancellation);
                        if (!budget.Allows(index, Stopwatch.GetElapsedTime(start))) return;
                    }
                    result = await target.SendAsync(requests[(firstRequest + index) % requests.Count], start, cancellation);
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
        return new LevelResult(LevelSummary.From(concurrency, duration, ordered, serviceLevel), ordered);
    }
}
