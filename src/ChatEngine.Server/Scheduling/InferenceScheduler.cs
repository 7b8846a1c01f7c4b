using System.Collections.Concurrent;
using ChatEngine.Runtime;

namespace ChatEngine.Server.Scheduling;

/// <summary>
/// Owns the model's compute: a fixed set of <see cref="Slot"/>s (one <see cref="InferenceContext"/> each, created
/// once), a bounded admission queue and the one thread that ever calls into the model. Each step admits queued jobs
/// into free slots, drops sequences whose client went away, evaluates one prompt chunk per prefilling slot, samples
/// one token per ready slot, and finally evaluates every sampled token (<see cref="EvaluatePendingTokens"/>, the single
/// place where a batched forward pass will replace the per-sequence loop). So all active sequences advance one
/// token per step, round-robin, and a client sees its tokens as soon as they are sampled.
/// </summary>
internal sealed class InferenceScheduler : IDisposable
{
    /// <summary>Prompt tokens evaluated per slot per step; a multiple of the transformer's own chunk (64) so
    /// chunked prefill computes exactly what one long call would.</summary>
    private const int PrefillChunkTokens = 64;

    private readonly Slot[] _slots;
    private readonly ConcurrentQueue<GenerationJob> _queue = new();
    private readonly SemaphoreSlim _queueSignal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;
    private readonly int _capacity;
    private readonly List<Slot> _decodeBatch;
    private int _outstanding;
    private int _active;
    private long _cancelled;
    private long _completed;

    public InferenceScheduler(LanguageModel model, int slots, int contextSize, int queueLimit)
    {
        _slots = new Slot[slots];
        for (var i = 0; i < slots; i++) _slots[i] = new Slot(model.CreateContext(contextSize), model.Tokenizer);
        _decodeBatch = new List<Slot>(slots);
        _capacity = slots + queueLimit;
        ContextSize = contextSize;
        _thread = new Thread(Run) { IsBackground = true, Name = "ChatEngine scheduler" };
        _thread.Start();
    }

    public int SlotCount => _slots.Length;
    public int ContextSize { get; }

    /// <summary>Slots running a sequence right now.</summary>
    public int ActiveSlots => Volatile.Read(ref _active);

    /// <summary>Accepted jobs not yet in a slot.</summary>
    public int QueuedJobs => Math.Max(0, Volatile.Read(ref _outstanding) - ActiveSlots);

    /// <summary>Sequences dropped because their client went away.</summary>
    public long CancelledSequences => Interlocked.Read(ref _cancelled);

    /// <summary>Sequences that ended normally (stop or length).</summary>
    public long CompletedSequences => Interlocked.Read(ref _completed);

    /// <summary>Queues <paramref name="job"/>; false when slots and queue are all taken (the caller answers 429).</summary>
    public bool TrySubmit(GenerationJob job)
    {
        if (Interlocked.Increment(ref _outstanding) > _capacity)
        {
            Interlocked.Decrement(ref _outstanding);
            return false;
        }
        _queue.Enqueue(job);
        _queueSignal.Release();
        return true;
    }

    private void Run()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                // Signals are drained while slots run, so jobs can still be queued when the last slot frees up.
                if (Volatile.Read(ref _active) == 0 && _queue.IsEmpty) _queueSignal.Wait(_stopping.Token);
                else while (_queueSignal.CurrentCount > 0 && _queueSignal.Wait(0)) { }
                Step();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        var shutdown = new OperationCanceledException("the server is shutting down");
        foreach (var slot in _slots) slot.Job?.Complete(shutdown);
        while (_queue.TryDequeue(out var job)) job.Complete(shutdown);
    }

    private void Step()
    {
        Admit();
        foreach (var slot in _slots)
        {
            if (slot.Phase == SlotPhase.Idle) continue;
            if (slot.Job!.Cancellation.IsCancellationRequested)
            {
                Interlocked.Increment(ref _cancelled);
                Finish(slot, new OperationCanceledException(slot.Job.Cancellation));
                continue;
            }
            try
            {
                if (slot.Phase == SlotPhase.Prefill) slot.PrefillChunk(PrefillChunkTokens);
                if (slot.Phase == SlotPhase.Sample) SampleOne(slot);
            }
            catch (Exception e)
            {
                Finish(slot, e);
            }
        }
        EvaluatePendingTokens();
    }

    private void Admit()
    {
        foreach (var slot in _slots)
        {
            if (slot.Phase != SlotPhase.Idle) continue;
            GenerationJob? job;
            while (_queue.TryDequeue(out job) && job.Cancellation.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _outstanding);
                Interlocked.Increment(ref _cancelled);
                job.Complete(new OperationCanceledException(job.Cancellation));
            }
            if (job is null) return;
            slot.Start(job);
            Interlocked.Increment(ref _active);
        }
    }

    private void SampleOne(Slot slot)
    {
        var token = slot.Sample();
        slot.Job!.Publish(token);
        if (token.FinishReason is not null)
        {
            Interlocked.Increment(ref _completed);
            Finish(slot, null);
        }
    }

    /// <summary>
    /// Runs the forward pass for every token sampled in this step. Today one sequence after another; a batched
    /// transformer call (one weight read for all of them) replaces this loop without touching anything else.
    /// </summary>
    private void EvaluatePendingTokens()
    {
        _decodeBatch.Clear();
        foreach (var slot in _slots)
        {
            if (slot.Phase == SlotPhase.Decode) _decodeBatch.Add(slot);
        }
        Span<int> token = stackalloc int[1];
        foreach (var slot in _decodeBatch)
        {
            try
            {
                token[0] = slot.PendingToken;
                slot.Context.Evaluate(token);
                slot.PendingTokenEvaluated();
            }
            catch (Exception e)
            {
                Finish(slot, e);
            }
        }
    }

    private void Finish(Slot slot, Exception? error)
    {
        slot.Job!.Complete(error);
        slot.Release();
        Interlocked.Decrement(ref _active);
        Interlocked.Decrement(ref _outstanding);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _thread.Join();
        _stopping.Dispose();
        _queueSignal.Dispose();
    }
}
