using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Runtime.Serving;

/// <summary>
/// Continuous batching over a fixed set of <see cref="Slot"/>s (one <see cref="KvCache"/> each, created once), a bounded
/// admission queue and the one thread that ever calls into the model. Each step:
/// <list type="number">
/// <item>drops sequences and queued jobs whose client went away, and admits queued jobs into free slots, each into
/// the slot whose cache shares the longest prefix with its prompt (that prefix is not evaluated again);</item>
/// <item>builds one <see cref="TokenBatch"/>: the pending token of every decoding sequence, then prompt tokens of the
/// prefilling ones (oldest first) up to <see cref="StepTokens"/> in all, so a long prompt is spread over several steps
/// instead of stalling the streams;</item>
/// <item>runs one forward pass for the whole batch (every weight matrix read once for all sequences) and samples the
/// next token of every sequence that got logits, each with its own sampler settings, publishing it at once.</item>
/// </list>
/// </summary>
public sealed class InferenceScheduler : IDisposable
{
    /// <summary>Tokens per forward pass: decode tokens first, prompt tokens fill the rest (the transformer's own chunk).</summary>
    private const int StepTokens = Transformer.MaxBatch;

    /// <summary>Prompt tokens a step takes even when decode tokens fill it, so waiting prompts always progress.</summary>
    private const int MinPromptTokensPerStep = 16;

    private readonly Slot[] _slots;
    private readonly LinkedList<GenerationJob> _queue = new();
    private readonly Lock _queueGate = new();
    private readonly SemaphoreSlim _queueSignal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;
    private readonly int _capacity;
    private readonly int _vocabularySize;
    private readonly Transformer _transformer;
    private readonly TokenBatch _batch;
    private readonly float[] _logits;
    /// <summary>Slots with prompt tokens left, in admission order (pruned at the start of each step).</summary>
    private readonly List<Slot> _prefillOrder;
    private readonly List<Slot> _batchSlots;
    private readonly ConcurrentQueue<Action> _slotCommands = new();
    private TaskCompletionSource<int>? _shutdownRequest;
    private bool _refusingJobs;
    private int _outstanding;
    private int _active;
    private int _activeKvTokens;
    private int _cachedKvTokens;
    private long _step;

    private readonly Action<Exception, string>? _reportFailure;
    /// <summary>The meter the scheduler made itself (disposed with it); null when the caller gave one.</summary>
    private readonly Meter? _ownMeter;

    /// <summary>Starts the scheduler thread for <paramref name="slots"/> sequences of <paramref name="contextSize"/> tokens
    /// each and up to <paramref name="queueLimit"/> waiting jobs. It evaluates on <paramref name="model"/>'s compute pool,
    /// which serves one caller at a time: nothing else may evaluate that model while the scheduler runs.</summary>
    /// <param name="reportFailure">Told of every failed step or sequence (the exception and what it ended), e.g. to log it;
    /// the sequences concerned end with the exception either way.</param>
    /// <param name="meter">Where to publish <see cref="Metrics"/> and the slot, queue and KV cache gauges (named
    /// <see cref="SchedulerTelemetry.Name"/>, owned by the caller); by default a meter of the scheduler's own.</param>
    public InferenceScheduler(LanguageModel model, int slots, int contextSize, int queueLimit, Action<Exception, string>? reportFailure = null,
        Meter? meter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextSize, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(queueLimit);
        _reportFailure = reportFailure;
        var parameters = model.Parameters;
        _vocabularySize = parameters.VocabSize;
        _slots = new Slot[slots];
        for (var i = 0; i < slots; i++) _slots[i] = new Slot(new KvCache(parameters, contextSize, model.CacheFormat), model.Tokenizer);
        _transformer = new Transformer(parameters, model.Weights, model.Pool);
        _batch = new TokenBatch(_vocabularySize, StepTokens + slots);
        _logits = new float[(long)slots * _vocabularySize];
        _prefillOrder = new List<Slot>(slots);
        _batchSlots = new List<Slot>(slots);
        _capacity = slots + queueLimit;
        ContextSize = contextSize;
        _ownMeter = meter is null ? new Meter(SchedulerTelemetry.Name) : null;
        var published = meter ?? _ownMeter!;
        Metrics = new SchedulerMetrics(published);
        SchedulerTelemetry.RegisterGauges(published, this);
        _thread = new Thread(Run) { IsBackground = true, Name = "ChatEngine scheduler" };
        _thread.Start();
    }

    /// <summary>Called before each token is sampled; a fault-injection seam for tests (null in production).</summary>
    internal Action<GenerationJob>? BeforeSampling { get; set; }

    public int SlotCount => _slots.Length;
    public int ContextSize { get; }
    public SchedulerMetrics Metrics { get; }

    /// <summary>Slots running a sequence right now.</summary>
    public int ActiveSlots => Volatile.Read(ref _active);

    /// <summary>Accepted jobs not yet ended (queued or running).</summary>
    public int OutstandingJobs => Volatile.Read(ref _outstanding);

    /// <summary>Accepted jobs not yet in a slot.</summary>
    public int QueuedJobs => Math.Max(0, Volatile.Read(ref _outstanding) - ActiveSlots);

    /// <summary>KV cache positions held by running sequences (as of the last step).</summary>
    public int ActiveKvTokens => Volatile.Read(ref _activeKvTokens);

    /// <summary>KV cache positions kept by idle slots for prefix reuse (as of the last step).</summary>
    public int CachedKvTokens => Volatile.Read(ref _cachedKvTokens);

    /// <summary>Queues <paramref name="job"/>; false when slots and queue are all taken (the caller answers 429) or
    /// after <see cref="EndAllForShutdownAsync"/>.</summary>
    /// <exception cref="ArgumentException">The prompt has no tokens.</exception>
    /// <exception cref="ContextOverflowException">The prompt and the most tokens it may generate do not fit a slot's context.</exception>
    public bool TrySubmit(GenerationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Prompt.Length == 0) throw new ArgumentException("the prompt has no tokens", nameof(job));
        var needed = job.Options.ContextShiftKeep is null ? job.Prompt.Length + job.Options.MaxTokens : job.Prompt.Length + 1;
        if (needed > ContextSize) throw new ContextOverflowException(needed, ContextSize);
        if (Interlocked.Increment(ref _outstanding) > _capacity)
        {
            Interlocked.Decrement(ref _outstanding);
            Metrics.Rejected();
            return false;
        }
        lock (_queueGate)
        {
            if (_refusingJobs)
            {
                Interlocked.Decrement(ref _outstanding);
                return false;
            }
            _queue.AddLast(job);
        }
        Metrics.Accepted();
        _queueSignal.Release();
        return true;
    }

    /// <summary>What each slot is doing and how many tokens its cache holds (llama-server's <c>GET /slots</c>).</summary>
    public Task<IReadOnlyList<SlotState>> SlotStatesAsync() =>
        OnSchedulerThread<IReadOnlyList<SlotState>>(() => [.. _slots.Select((slot, id) => new SlotState(id, slot.Phase != SlotPhase.Idle, slot.Cache.Length))]);

    /// <summary>Slot <paramref name="id"/>'s cached tokens with their keys and values, taken between two steps
    /// (llama-server's slot save); <see cref="InvalidOperationException"/> while the slot generates,
    /// <see cref="NotSupportedException"/> for a cache computed with LoRA adapters.</summary>
    public Task<SavedSlot> SaveSlotAsync(int id) => OnSchedulerThread(() => new SavedSlot(SlotAt(id).Cache.Length, SlotAt(id).Save()));

    /// <summary>Puts a <see cref="SaveSlotAsync"/> result back into idle slot <paramref name="id"/>: a later prompt that
    /// starts with its tokens evaluates only the rest. Returns the positions restored.</summary>
    /// <exception cref="InvalidDataException">Not a saved slot of this model, cache format and context size.</exception>
    public Task<int> RestoreSlotAsync(int id, byte[] saved) => OnSchedulerThread(() =>
    {
        var slot = SlotAt(id);
        slot.Restore(saved);
        return slot.Cache.Length;
    });

    /// <summary>Empties idle slot <paramref name="id"/>'s cache; returns the positions it held.</summary>
    public Task<int> EraseSlotAsync(int id) => OnSchedulerThread(() =>
    {
        var slot = SlotAt(id);
        if (slot.Phase != SlotPhase.Idle) throw new InvalidOperationException("the slot is generating; erase it once it is idle");
        var erased = slot.Cache.Length;
        slot.Cache.Truncate(0);
        return erased;
    });

    private Slot SlotAt(int id) => id >= 0 && id < _slots.Length ? _slots[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"there are slots 0 to {_slots.Length - 1}");

    /// <summary>Runs <paramref name="work"/> on the scheduler thread before its next step, where slots may be touched.</summary>
    private Task<T> OnSchedulerThread<T>(Func<T> work)
    {
        if (_stopping.IsCancellationRequested) return Task.FromException<T>(new OperationCanceledException("the scheduler has stopped"));
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _slotCommands.Enqueue(() =>
        {
            try
            {
                done.TrySetResult(work());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        _queueSignal.Release();
        return done.Task;
    }

    /// <summary>
    /// The end of a graceful shutdown's drain: refuses new jobs from now on and, before its next step, ends every
    /// queued and running sequence with <see cref="FinishReason.Shutdown"/>, published as the sequence's last token so
    /// that its reply ends the way a finished one does. Completes with the number of sequences it ended.
    /// </summary>
    public Task<int> EndAllForShutdownAsync()
    {
        var request = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_queueGate)
        {
            _refusingJobs = true;
            _shutdownRequest = request;
        }
        _queueSignal.Release();
        return request.Task;
    }

    private void Run()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                // Signals are drained while slots run, so jobs can still be queued when the last slot frees up.
                if (Volatile.Read(ref _active) == 0 && QueueIsEmpty() && _slotCommands.IsEmpty) _queueSignal.Wait(_stopping.Token);
                else while (_queueSignal.CurrentCount > 0 && _queueSignal.Wait(0)) { }
                if (TakeShutdownRequest() is { } request) request.TrySetResult(EndAllForShutdown());
                try
                {
                    Step();
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
                {
                    // Every per-job failure is handled where it happens; this only catches what slipped through, so the
                    // loop (and every other sequence) goes on and only the sequences of the failed step end.
                    _reportFailure?.Invoke(e, $"scheduler step {_step} failed; its {_batchSlots.Count} sequence(s) end with an error");
                    foreach (var slot in _batchSlots)
                    {
                        if (slot.Phase != SlotPhase.Idle) Finish(slot, SequenceOutcome.Failed, e);
                    }
                }
                PublishKvUse();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        while (_slotCommands.TryDequeue(out var command)) command();
        var shutdown = new OperationCanceledException("the server is shutting down");
        foreach (var slot in _slots) slot.Job?.Complete(shutdown);
        lock (_queueGate)
        {
            foreach (var job in _queue) job.Complete(shutdown);
            _queue.Clear();
        }
    }

    private TaskCompletionSource<int>? TakeShutdownRequest()
    {
        lock (_queueGate)
        {
            var request = _shutdownRequest;
            _shutdownRequest = null;
            return request;
        }
    }

    /// <summary>Ends every sequence still queued or running (a client that already left does not count).</summary>
    private int EndAllForShutdown()
    {
        DropCancelled();
        var shutdownToken = new GeneratedToken(-1, "", FinishReason.Shutdown);
        var ended = 0;
        foreach (var slot in _slots)
        {
            if (slot.Phase == SlotPhase.Idle) continue;
            slot.Job!.Publish(shutdownToken);
            Finish(slot, SequenceOutcome.Shutdown, null);
            ended++;
        }
        lock (_queueGate)
        {
            foreach (var job in _queue)
            {
                job.Publish(shutdownToken);
                Ended(job, SequenceOutcome.Shutdown);
                Interlocked.Decrement(ref _outstanding);
                job.Complete();
                ended++;
            }
            _queue.Clear();
        }
        return ended;
    }

    private bool QueueIsEmpty()
    {
        lock (_queueGate) return _queue.Count == 0;
    }

    private void Step()
    {
        while (_slotCommands.TryDequeue(out var command)) command();
        _step++;
        _batchSlots.Clear();
        DropCancelled();
        _prefillOrder.RemoveAll(static slot => slot.Phase != SlotPhase.Prefill);
        Admit();
        BuildBatch(out var promptTokens, out var decodeTokens);
        if (_batch.Count == 0) return;

        var started = Stopwatch.GetTimestamp();
        try
        {
            _transformer.Evaluate(_batch, _logits);
        }
        catch (Exception e)
        {
            foreach (var slot in _batchSlots) Finish(slot, SequenceOutcome.Failed, e);
            return;
        }
        var now = Stopwatch.GetTimestamp();
        Metrics.Forward(promptTokens, decodeTokens, Stopwatch.GetElapsedTime(started, now).TotalSeconds);

        foreach (var slot in _batchSlots)
        {
            if (slot.Evaluated()) SampleOne(slot, now);
        }
    }

    private void DropCancelled()
    {
        foreach (var slot in _slots)
        {
            if (slot.Phase != SlotPhase.Idle && slot.Job!.Cancellation.IsCancellationRequested)
                Finish(slot, SequenceOutcome.Cancelled, new OperationCanceledException(slot.Job.Cancellation));
        }
        lock (_queueGate)
        {
            for (var node = _queue.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Cancellation.IsCancellationRequested)
                {
                    _queue.Remove(node);
                    Interlocked.Decrement(ref _outstanding);
                    Ended(node.Value, SequenceOutcome.Cancelled);
                    node.Value.Complete(new OperationCanceledException(node.Value.Cancellation));
                }
                node = next;
            }
        }
    }

    private void Admit()
    {
        while (Volatile.Read(ref _active) < _slots.Length)
        {
            GenerationJob job;
            lock (_queueGate)
            {
                if (_queue.First is not { } first) return;
                job = first.Value;
                _queue.RemoveFirst();
            }
            var slot = BestSlotFor(job.Prompt, job.Options.Adapters);
            Interlocked.Increment(ref _active);
            job.StartedAt = Stopwatch.GetTimestamp();
            try
            {
                job.CachedPromptTokens = slot.Start(job);
            }
            catch (Exception e)
            {
                Finish(slot, SequenceOutcome.Failed, e, job);
                continue;
            }
            Metrics.Started(job.Prompt.Length, job.CachedPromptTokens);
            _prefillOrder.Add(slot);
        }
    }

    /// <summary>
    /// The idle slot to run <paramref name="prompt"/> in: the one whose cache shares the longest prefix with it, when
    /// that prefix is worth what it costs (at least half of the prompt, or at least half of the cached sequence that
    /// the rest of the prompt overwrites); otherwise an empty slot, else the one idle the longest, so that a shared BOS
    /// alone does not evict another conversation's cache.
    /// </summary>
    private Slot BestSlotFor(int[] prompt, LoraSelection adapters)
    {
        Slot? reuse = null, overwrite = null;
        var reusePrefix = 0;
        foreach (var slot in _slots)
        {
            if (slot.Phase != SlotPhase.Idle) continue;
            var prefix = slot.ReusablePrefix(prompt, adapters);
            var worthIt = prefix > 0 && (2 * prefix >= prompt.Length || 2 * prefix >= slot.Cache.Length);
            if (worthIt && (prefix > reusePrefix || (prefix == reusePrefix && slot.ReleasedAt < reuse!.ReleasedAt))) (reuse, reusePrefix) = (slot, prefix);
            if (overwrite is null || CheaperToOverwrite(slot, overwrite)) overwrite = slot;
        }
        return reuse ?? overwrite ?? throw new InvalidOperationException("no idle slot although fewer sequences than slots are active");
    }

    private static bool CheaperToOverwrite(Slot candidate, Slot current) =>
        (candidate.Cache.Length == 0) != (current.Cache.Length == 0) ? candidate.Cache.Length == 0 : candidate.ReleasedAt < current.ReleasedAt;

    /// <summary>
    /// Fills the batch with the sequences that use the LoRA adapters of the one that has waited longest (one forward
    /// pass applies one adapter selection; with no adapters in use that is every sequence).
    /// </summary>
    private void BuildBatch(out int promptTokens, out int decodeTokens)
    {
        _batch.Clear();
        _batchSlots.Clear();
        Slot? longestWaiting = null;
        foreach (var slot in _slots)
        {
            if (slot.Phase != SlotPhase.Idle && (longestWaiting is null || slot.LastEvaluatedStep < longestWaiting.LastEvaluatedStep)) longestWaiting = slot;
        }
        var adapters = longestWaiting?.Adapters ?? LoraSelection.None;
        _transformer.Adapters = adapters;
        decodeTokens = 0;
        foreach (var slot in _slots)
        {
            if (slot.Phase == SlotPhase.Decode && Slot.SameAdapters(slot.Adapters, adapters)) decodeTokens += AddToBatch(slot, 0);
        }
        promptTokens = 0;
        var budget = Math.Max(StepTokens - decodeTokens, MinPromptTokensPerStep);
        foreach (var slot in _prefillOrder)
        {
            if (promptTokens == budget) break;
            if (Slot.SameAdapters(slot.Adapters, adapters)) promptTokens += AddToBatch(slot, budget - promptTokens);
        }
    }

    private int AddToBatch(Slot slot, int promptBudget)
    {
        try
        {
            if (slot.NeedsContextShift)
            {
                var (keep, discard) = slot.ContextShiftSpan();
                _transformer.ShiftContext(slot.Cache, keep, discard);
                slot.Shifted(keep, discard);
                Metrics.ContextShifted(discard);
            }
            var added = slot.AddTo(_batch, promptBudget);
            if (added > 0)
            {
                _batchSlots.Add(slot);
                slot.LastEvaluatedStep = _step;
            }
            return added;
        }
        catch (Exception e)
        {
            Finish(slot, SequenceOutcome.Failed, e);
            return 0;
        }
    }

    private void SampleOne(Slot slot, long now)
    {
        var job = slot.Job!;
        var firstToken = slot.Phase == SlotPhase.Prefill;
        var previous = slot.LastTokenAt;
        try
        {
            BeforeSampling?.Invoke(job);
            var token = slot.Sample(_logits.AsSpan(slot.LogitsRow * _vocabularySize, _vocabularySize), now);
            Metrics.Generated(firstToken, Stopwatch.GetElapsedTime(firstToken ? job.SubmittedAt : previous, now));
            if (firstToken) job.FirstTokenAt = now;
            job.GeneratedTokens++;
            job.Publish(token);
            if (token.FinishReason is { } reason)
                Finish(slot, reason == FinishReason.Stop ? SequenceOutcome.Stop : SequenceOutcome.Length, null);
        }
        catch (Exception e)
        {
            Finish(slot, SequenceOutcome.Failed, e);
        }
    }

    /// <param name="job">The slot's job; given when the slot failed to take it (<see cref="Slot.Start"/> threw).</param>
    private void Finish(Slot slot, SequenceOutcome outcome, Exception? error, GenerationJob? job = null)
    {
        if (outcome == SequenceOutcome.Failed && error is not null) _reportFailure?.Invoke(error, "a sequence failed and was ended");
        var ended = job ?? slot.Job!;
        Ended(ended, outcome);
        slot.Release(keepCache: outcome is SequenceOutcome.Stop or SequenceOutcome.Length, _step);
        Interlocked.Decrement(ref _active);
        Interlocked.Decrement(ref _outstanding);
        // Last, so a caller that submits its next job as soon as this one's tokens end finds its place free.
        ended.Complete(error);
    }

    /// <summary>Counts and traces an ended job; before its channel completes, so that its reply ends after both.</summary>
    private void Ended(GenerationJob job, SequenceOutcome outcome)
    {
        Metrics.Ended(outcome);
        SchedulerTelemetry.TraceEnded(job, outcome);
    }

    private void PublishKvUse()
    {
        int active = 0, cached = 0;
        foreach (var slot in _slots)
        {
            if (slot.Phase == SlotPhase.Idle) cached += slot.Cache.Length;
            else active += slot.Cache.Length;
        }
        Volatile.Write(ref _activeKvTokens, active);
        Volatile.Write(ref _cachedKvTokens, cached);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _thread.Join();
        _stopping.Dispose();
        _queueSignal.Dispose();
        _ownMeter?.Dispose();
    }
}
