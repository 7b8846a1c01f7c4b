using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace ChatEngine.Kernels;

/// <summary>
/// A fixed set of worker threads that run the parallel kernels. <see cref="Run"/> splits an index range into chunks
/// that the workers and the calling thread take in turn; it returns when all are done. Between runs the workers spin
/// briefly (kernels of one forward pass follow each other closely), then sleep on a monitor.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Run"/> (and the kernels that take the pool, e.g. <see cref="MatMul.Multiply"/>) must be
/// called from one thread at a time, never from inside a job; a concurrent call throws
/// <see cref="InvalidOperationException"/>. <see cref="Dispose"/> must not race with a running call. A run allocates
/// nothing: the pool also owns the scratch memory of the kernels.
/// </remarks>
public sealed unsafe class ComputePool : IDisposable
{
    private const int SpinsBeforeSleep = 50;

    private readonly Thread[] _workers;
    private readonly object _startGate = new();
    private readonly object _doneGate = new();

    private IComputeJob? _job;
    private int _itemCount;
    private int _chunkSize;
    private int _chunkCount;
    private int _nextChunk;
    private int _generation;
    private int _sleepingWorkers;
    private int _busyWorkers;
    private int _callerSleeping;
    private int _running;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;

    private byte* _scratch;
    private nuint _scratchBytes;

    /// <param name="threads">Total threads that work on a run, the calling thread included.</param>
    public ComputePool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ThreadCount = threads;
        _workers = new Thread[threads - 1];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"ChatEngine compute {i + 1}" };
            _workers[i].Start();
        }
    }

    public int ThreadCount { get; }

    /// <summary>Runs <paramref name="job"/> over [0, <paramref name="itemCount"/>) in chunks of <paramref name="chunkSize"/> items.</summary>
    public void Run(IComputeJob job, int itemCount, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (itemCount == 0) return;
        var chunks = (int)(((long)itemCount + chunkSize - 1) / chunkSize);
        if (_workers.Length == 0 || chunks == 1)
        {
            job.Execute(0, itemCount);
            return;
        }
        if (Interlocked.Exchange(ref _running, 1) != 0)
            throw new InvalidOperationException("ComputePool.Run was called concurrently or from inside a job; use one pool per calling thread");
        try
        {
            _job = job;
            _itemCount = itemCount;
            _chunkSize = chunkSize;
            _chunkCount = chunks;
            _nextChunk = 0;
            _failure = null;
            _busyWorkers = _workers.Length;
            // The interlocked increment publishes the fields above to the workers before they see the new generation.
            Interlocked.Increment(ref _generation);
            if (Volatile.Read(ref _sleepingWorkers) > 0)
            {
                lock (_startGate) Monitor.PulseAll(_startGate);
            }
            ExecuteChunks();
            WaitForWorkers();
            _job = null;
            _failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>
    /// Scratch memory of at least <paramref name="bytes"/> bytes (64-byte aligned), owned by the pool and reused by the
    /// kernels between runs; its content is undefined. Only for the thread that calls <see cref="Run"/>.
    /// </summary>
    internal byte* Scratch(nuint bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (bytes > _scratchBytes)
        {
            var size = Math.Max(bytes, _scratchBytes * 2);
            NativeMemory.AlignedFree(_scratch);
            _scratch = null;
            _scratchBytes = 0;
            _scratch = (byte*)NativeMemory.AlignedAlloc(size, 64);
            _scratchBytes = size;
        }
        return _scratch;
    }

    /// <summary>The reusable job object of <see cref="MatMul"/> (one per pool, so a multiply allocates nothing).</summary>
    internal MatMulJob MatMulJob { get; } = new();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Interlocked.Increment(ref _generation);
        lock (_startGate) Monitor.PulseAll(_startGate);
        foreach (var worker in _workers) worker.Join();
        NativeMemory.AlignedFree(_scratch);
        _scratch = null;
        _scratchBytes = 0;
    }

    private void WorkerLoop()
    {
        var seen = 0;
        while (true)
        {
            seen = WaitForGeneration(seen);
            if (_disposed) return;
            ExecuteChunks();
            if (Interlocked.Decrement(ref _busyWorkers) == 0 && Volatile.Read(ref _callerSleeping) != 0)
            {
                lock (_doneGate) Monitor.PulseAll(_doneGate);
            }
        }
    }

    private int WaitForGeneration(int seen)
    {
        var spinner = new SpinWait();
        for (var i = 0; i < SpinsBeforeSleep; i++)
        {
            var generation = Volatile.Read(ref _generation);
            if (generation != seen) return generation;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        // Announce the sleep before re-checking, so that Run either sees a sleeper and pulses or we see its generation.
        Interlocked.Increment(ref _sleepingWorkers);
        try
        {
            lock (_startGate)
            {
                while (Volatile.Read(ref _generation) == seen) Monitor.Wait(_startGate);
                return _generation;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _sleepingWorkers);
        }
    }

    private void WaitForWorkers()
    {
        var spinner = new SpinWait();
        for (var i = 0; i < SpinsBeforeSleep; i++)
        {
            if (Volatile.Read(ref _busyWorkers) == 0) return;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        Interlocked.Exchange(ref _callerSleeping, 1);
        lock (_doneGate)
        {
            while (Volatile.Read(ref _busyWorkers) != 0) Monitor.Wait(_doneGate);
        }
        Volatile.Write(ref _callerSleeping, 0);
    }

    private void ExecuteChunks()
    {
        var job = _job!;
        try
        {
            while (true)
            {
                var chunk = Interlocked.Increment(ref _nextChunk) - 1;
                if (chunk >= _chunkCount) return;
                var start = chunk * _chunkSize;
                job.Execute(start, Math.Min(_itemCount, start + _chunkSize));
            }
        }
        catch (Exception e)
        {
            // Stop handing out chunks; the first failure is rethrown on the calling thread.
            Volatile.Write(ref _nextChunk, int.MaxValue / 2);
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
        }
    }
}
