using System.Runtime.InteropServices;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Model;
using ChatEngine.Text;

namespace ChatEngine.Runtime.Serving;

/// <summary>
/// One of the scheduler's sequence slots: a <see cref="KvCache"/> created once and reused, the tokens whose keys and
/// values it holds (kept after a sequence ends, so a later prompt with the same beginning skips them), and the state
/// of the sequence it currently runs (its <see cref="SequenceSampler"/>, progress). Sampling, detokenizing and the
/// stop rules are <see cref="TextGenerator"/>'s own (the same <see cref="SequenceSampler"/>), split into steps so the
/// scheduler can batch sequences.
/// Only the scheduler thread touches a slot.
/// </summary>
internal sealed class Slot(KvCache cache, Tokenizer tokenizer)
{
    private readonly int[] _cachedTokens = new int[cache.ContextSize];
    private readonly int[] _pendingToken = new int[1];
    private LoraSelection _cacheAdapters = LoraSelection.None;
    private SequenceSampler? _sampler;
    private int _prefilled;
    private int _inFlight;
    private int _logitsRow = -1;
    private int _reusable = int.MaxValue;

    public KvCache Cache { get; } = cache;
    public GenerationJob? Job { get; private set; }
    public SlotPhase Phase { get; private set; } = SlotPhase.Idle;

    /// <summary>When the slot last ended a sequence (scheduler step number), to reuse the stalest cache first.</summary>
    public long ReleasedAt { get; private set; }

    /// <summary>When the last token was published (Stopwatch ticks), for inter-token latency.</summary>
    public long LastTokenAt { get; private set; }

    /// <summary>The LoRA adapters the running sequence is evaluated with.</summary>
    public LoraSelection Adapters => Job?.Options.Adapters ?? LoraSelection.None;

    /// <summary>The scheduler step that last evaluated this sequence, so a step can serve the longest-waiting adapters.</summary>
    public long LastEvaluatedStep { get; set; }

    /// <summary>Prompt tokens still to evaluate (phase <see cref="SlotPhase.Prefill"/>).</summary>
    public int PromptTokensLeft => Job is null ? 0 : Job.Prompt.Length - _prefilled;

    /// <summary>
    /// Tokens at the start of <paramref name="prompt"/> whose keys and values this slot already holds exactly as
    /// evaluating the prompt would compute them (same tokens, same <see cref="SummationOrder"/>: a position a
    /// previous sequence decoded token by token differs in the last bits from the same token in a prompt; the same LoRA
    /// adapters), leaving at least the last prompt token to evaluate (its logits give the first completion token).
    /// </summary>
    public int ReusablePrefix(int[] prompt, LoraSelection adapters)
    {
        if (!SameAdapters(_cacheAdapters, adapters)) return 0;
        var limit = Math.Min(Cache.Length, prompt.Length - 1);
        var common = 0;
        while (common < limit && _cachedTokens[common] == prompt[common] && Cache.OrderAt(common) == TokenBatch.KvOrder(common, prompt.Length)) common++;
        return common;
    }

    /// <summary>Takes <paramref name="job"/>, keeping the cached prefix it shares; returns how many prompt tokens that saves.</summary>
    public int Start(GenerationJob job)
    {
        var reused = ReusablePrefix(job.Prompt, job.Options.Adapters);
        Cache.Truncate(reused);
        _reusable = int.MaxValue;
        _cacheAdapters = job.Options.Adapters;
        Job = job;
        _sampler = new SequenceSampler(job.Options, tokenizer);
        _sampler.AcceptPrompt(job.Prompt);
        _prefilled = reused;
        Phase = SlotPhase.Prefill;
        return reused;
    }

    /// <summary>
    /// Adds this sequence's next tokens to <paramref name="batch"/>: the pending token when decoding, otherwise up to
    /// <paramref name="promptBudget"/> prompt tokens (logits only with the last of them). Returns the tokens added.
    /// </summary>
    public int AddTo(TokenBatch batch, int promptBudget)
    {
        var tokens = Phase == SlotPhase.Decode
            ? _pendingToken.AsSpan()
            : Job!.Prompt.AsSpan(_prefilled, Math.Min(promptBudget, PromptTokensLeft));
        if (tokens.IsEmpty) return 0;
        if (Phase == SlotPhase.Decode)
        {
            _logitsRow = batch.Add(Cache, tokens, BatchLogits.Last);
        }
        else
        {
            // Each piece is computed as part of one evaluation of the whole prompt, as the solo generator does.
            var endsPrompt = _prefilled + tokens.Length == Job!.Prompt.Length;
            _logitsRow = batch.Add(Cache, tokens, endsPrompt ? BatchLogits.Last : BatchLogits.None, _prefilled, Job.Prompt.Length);
        }
        tokens.CopyTo(_cachedTokens.AsSpan(Cache.Length));
        _inFlight = tokens.Length;
        return tokens.Length;
    }

    /// <summary>The batch ran: the tokens added are in the cache. True when this sequence's next token can be sampled.</summary>
    public bool Evaluated()
    {
        if (Phase == SlotPhase.Prefill) _prefilled += _inFlight;
        _inFlight = 0;
        return _logitsRow >= 0;
    }

    /// <summary>Logits row of this sequence in the batch that just ran.</summary>
    public int LogitsRow => _logitsRow;

    /// <summary>Samples the next token from <paramref name="logits"/>; the returned token has a finish reason when it is the last.</summary>
    public GeneratedToken Sample(ReadOnlySpan<float> logits, long now)
    {
        var token = _sampler!.Next(logits);
        _logitsRow = -1;
        LastTokenAt = now;
        if (token.FinishReason is not null) return token;
        _pendingToken[0] = token.Id;
        Phase = SlotPhase.Decode;
        return token;
    }

    /// <summary>Whether the decoding sequence has filled its cache and may shift it (<see cref="GenerationOptions.ContextShiftKeep"/>).</summary>
    public bool NeedsContextShift => Phase == SlotPhase.Decode && Cache.Length == Cache.ContextSize && Job!.Options.ContextShiftKeep is not null;

    /// <summary>
    /// The tokens a context shift keeps at the start and drops after them, as llama-server chooses: the first
    /// ContextShiftKeep (no more than the prompt and leaving something to drop), then half of the rest.
    /// </summary>
    public (int Keep, int Discard) ContextShiftSpan()
    {
        var keep = Math.Min(Math.Min(Job!.Options.ContextShiftKeep!.Value, Job.Prompt.Length), Cache.ContextSize - 2);
        return (keep, (Cache.ContextSize - keep) / 2);
    }

    /// <summary>The cache was shifted: its tokens follow, and past <paramref name="keep"/> they no longer equal what
    /// evaluating them afresh gives, so a later prompt reuses at most that much.</summary>
    public void Shifted(int keep, int discard)
    {
        Array.Copy(_cachedTokens, keep + discard, _cachedTokens, keep, Cache.Length - keep);
        _reusable = Math.Min(_reusable, keep);
        Job!.ContextShifts++;
        Job.DiscardedTokens += discard;
    }

    private static ReadOnlySpan<byte> FileMagic => "CESLOT1\n"u8;

    /// <summary>The idle slot's cached tokens and their keys and values (no LoRA adapters), to restore later
    /// (llama-server's slot save).</summary>
    public byte[] Save()
    {
        if (Phase != SlotPhase.Idle) throw new InvalidOperationException("the slot is generating; save it once it is idle");
        if (!_cacheAdapters.IsEmpty) throw new NotSupportedException("the slot's cache was computed with LoRA adapters, which a saved slot does not record");
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            writer.Write(FileMagic);
            Cache.WriteTo(writer);
            writer.Write(MemoryMarshal.AsBytes(_cachedTokens.AsSpan(0, Cache.Length)));
        }
        return buffer.ToArray();
    }

    /// <summary>Replaces the idle slot's cache with a saved one; a later prompt starting with its tokens reuses them.
    /// <see cref="InvalidDataException"/> for data that is not a saved slot of this model and cache format.</summary>
    public void Restore(byte[] saved)
    {
        if (Phase != SlotPhase.Idle) throw new InvalidOperationException("the slot is generating; restore it once it is idle");
        using var reader = new BinaryReader(new MemoryStream(saved, writable: false));
        try
        {
            Span<byte> magic = stackalloc byte[FileMagic.Length];
            reader.BaseStream.ReadExactly(magic);
            if (!magic.SequenceEqual(FileMagic)) throw new InvalidDataException("not a saved slot (no ChatEngine slot header)");
            Cache.ReadFrom(reader);
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(_cachedTokens.AsSpan(0, Cache.Length)));
            if (reader.BaseStream.Position != saved.Length) throw new InvalidDataException("the saved slot has data after its end");
        }
        catch (EndOfStreamException)
        {
            Cache.Truncate(0);
            throw new InvalidDataException("the saved slot is cut short");
        }
        catch (InvalidDataException)
        {
            Cache.Truncate(0);
            throw;
        }
        _cacheAdapters = LoraSelection.None;
        _reusable = int.MaxValue;
    }

    /// <summary>Whether two selections compute the same thing (adapters at scale 0 change nothing).</summary>
    public static bool SameAdapters(LoraSelection a, LoraSelection b) =>
        ReferenceEquals(a, b) || (a.IsEmpty && b.IsEmpty) || a.Adapters.SequenceEqual(b.Adapters);

    /// <summary>Ends the sequence. The cache keeps its tokens for reuse unless <paramref name="keepCache"/> is false
    /// (a cancelled or failed sequence gives its KV memory back at once).</summary>
    public void Release(bool keepCache, long step)
    {
        Cache.Truncate(keepCache ? _reusable : 0);
        Job = null;
        _sampler = null;
        _inFlight = 0;
        _logitsRow = -1;
        ReleasedAt = step;
        Phase = SlotPhase.Idle;
    }
}
