using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Text;

namespace ChatEngine.Server.Scheduling;

/// <summary>
/// One of the scheduler's sequence slots: an <see cref="InferenceContext"/> created once and reused, plus the state
/// of the sequence it currently runs (its <see cref="SequenceSampler"/>, progress). Sampling, detokenizing and the
/// stop rules are <see cref="TextGenerator"/>'s own (the same <see cref="SequenceSampler"/>), split into steps so the
/// scheduler can interleave sequences.
/// Only the scheduler thread touches a slot.
/// </summary>
internal sealed class Slot(InferenceContext context, Tokenizer tokenizer)
{
    private SequenceSampler? _sampler;
    private int _prefilled;

    public InferenceContext Context { get; } = context;
    public GenerationJob? Job { get; private set; }
    public SlotPhase Phase { get; private set; } = SlotPhase.Idle;

    /// <summary>The token sampled last, still to be evaluated (phase <see cref="SlotPhase.Decode"/>).</summary>
    public int PendingToken { get; private set; }

    public void Start(GenerationJob job)
    {
        Context.Reset();
        Context.Adapters = job.Options.Adapters;
        Job = job;
        _sampler = new SequenceSampler(job.Options, tokenizer);
        _sampler.AcceptPrompt(job.Prompt);
        _prefilled = 0;
        Phase = SlotPhase.Prefill;
    }

    /// <summary>Evaluates up to <paramref name="maxTokens"/> more prompt tokens; moves to sampling after the last.</summary>
    public void PrefillChunk(int maxTokens)
    {
        var prompt = Job!.Prompt;
        var count = Math.Min(maxTokens, prompt.Length - _prefilled);
        Context.Evaluate(prompt.AsSpan(_prefilled, count));
        _prefilled += count;
        if (_prefilled == prompt.Length) Phase = SlotPhase.Sample;
    }

    /// <summary>Samples the next token from the current logits; the returned token has a finish reason when it is the last.</summary>
    public GeneratedToken Sample()
    {
        var token = _sampler!.Next(Context.Logits);
        if (token.FinishReason is not null) return token;
        PendingToken = token.Id;
        Phase = SlotPhase.Decode;
        return token;
    }

    /// <summary>Called after the pending token was evaluated: its logits are ready.</summary>
    public void PendingTokenEvaluated() => Phase = SlotPhase.Sample;

    public void Release()
    {
        Job = null;
        _sampler = null;
        Phase = SlotPhase.Idle;
    }
}
