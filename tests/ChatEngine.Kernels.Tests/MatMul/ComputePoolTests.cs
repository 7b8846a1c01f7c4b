using Xunit;

namespace ChatEngine.Kernels.Tests.MatMul;

public sealed class ComputePoolTests
{
    private sealed class CountingJob(int count) : IComputeJob
    {
        public readonly int[] Visits = new int[count];
        public readonly HashSet<int> Threads = [];

        public void Execute(int start, int end)
        {
            lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
            for (var i = start; i < end; i++) Interlocked.Increment(ref Visits[i]);
            Thread.SpinWait(100);
        }
    }

    private sealed class FailingJob : IComputeJob
    {
        public void Execute(int start, int end)
        {
            if (start <= 500 && 500 < end) throw new InvalidDataException("item 500");
        }
    }

    private sealed class ReentrantJob(ComputePool pool) : IComputeJob
    {
        public Exception? Caught;

        public void Execute(int start, int end)
        {
            try
            {
                pool.Run(new CountingJob(100), 100, 1);
            }
            catch (InvalidOperationException e)
            {
                Caught = e;
            }
        }
    }

    [Theory]
    [InlineData(1, 1000, 7)]
    [InlineData(2, 1000, 7)]
    [InlineData(4, 1000, 1)]
    [InlineData(3, 5, 16)]
    [InlineData(3, 16, 16)]
    public void Every_item_is_processed_exactly_once_per_run(int threads, int count, int chunk)
    {
        using var pool = new ComputePool(threads);
        for (var run = 0; run < 50; run++)
        {
            var job = new CountingJob(count);
            pool.Run(job, count, chunk);
            Assert.All(job.Visits, v => Assert.Equal(1, v));
        }
    }

    [Fact]
    public void Workers_and_the_caller_share_the_work_also_after_sleeping()
    {
        using var pool = new ComputePool(3);
        var first = new CountingJob(3000);
        pool.Run(first, 3000, 1);
        Thread.Sleep(200); // long enough for the workers to stop spinning and block
        var second = new CountingJob(3000);
        pool.Run(second, 3000, 1);
        Assert.All(second.Visits, v => Assert.Equal(1, v));
        Assert.Contains(Environment.CurrentManagedThreadId, first.Threads.Union(second.Threads));
        Assert.True(first.Threads.Union(second.Threads).Count() > 1);
    }

    [Fact]
    public void A_failing_job_rethrows_on_the_caller_and_the_pool_stays_usable()
    {
        using var pool = new ComputePool(3);
        Assert.Throws<InvalidDataException>(() => pool.Run(new FailingJob(), 1000, 10));
        var job = new CountingJob(100);
        pool.Run(job, 100, 3);
        Assert.All(job.Visits, v => Assert.Equal(1, v));
    }

    [Fact]
    public void A_run_from_inside_a_job_is_refused()
    {
        using var pool = new ComputePool(2);
        var job = new ReentrantJob(pool);
        pool.Run(job, 2, 1);
        Assert.NotNull(job.Caught);
    }

    [Fact]
    public void Dispose_stops_the_workers_is_idempotent_and_later_runs_throw()
    {
        var pool = new ComputePool(4);
        pool.Run(new CountingJob(64), 64, 1);
        pool.Dispose();
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Run(new CountingJob(64), 64, 1));
    }

    [Fact]
    public void Thread_count_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComputePool(0));
        using var pool = new ComputePool(1);
        Assert.Equal(1, pool.ThreadCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(new CountingJob(1), 1, 0));
    }
}
