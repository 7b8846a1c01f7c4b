using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Text;
using ChatEngine.Text.Detokenizer;

namespace ChatEngine.Server.Scheduling;

/// <summary>
/// One of the scheduler's sequence slots: an <see cref="InferenceContext"/> created once and reused, plus the state
/// of the sequence it currently runs (sampler chain, streaming detokenizer, progress). It follows
/// <see cref="TextGenerator"/>'s rules exactly (prompt tokens feed the penalties, EOG ends with "stop" and is not
/// text, the token limit ends with "length"), split into steps so the scheduler can interleave sequences.
/// Only the scheduler thread touches a slot.
/// </summary>
internal sealed class Slot(InferenceContext context, Tokenizer tokenizer)
{
    private SamplerChain? _sampler;
    private StreamingDetokenizer? _detokenizer;
    private int _prefilled;
    private int _generated;

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
        _sampler = new SamplerChain(job.Options.Sampling, Context.Model.Parameters.VocabSize);
        _sampler.AcceptPrompt(job.Prompt);
        _detokenizer = new StreamingDetokenizer(tokenizer, job.Options.StopSequences);
        _prefilled = 0;
        _generated = 0;
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
        var options = Job!.Options;
        var id = _sampler!.SampleAndAccept(Context.Logits);
        _generated++;
        if (tokenizer.IsEndOfGeneration(id) && !options.IgnoreEndOfGeneration)
            return new GeneratedToken(id, _detokenizer!.Flush(), FinishReason.Stop);
        var (text, stopped) = _detokenizer!.Push(id);
        if (stopped) return new GeneratedToken(id, text, FinishReason.Stop);
        if (_generated == options.MaxTokens) return new GeneratedToken(id, text + _detokenizer.Flush(), FinishReason.Length);
        PendingToken = id;
        Phase = SlotPhase.Decode;
        return new GeneratedToken(id, text, null);
    }

    /// <summary>Called after the pending token was evaluated: its logits are ready.</summary>
    public void PendingTokenEvaluated() => Phase = SlotPhase.Sample;

    public void Release()
    {
        Job = null;
        _sampler = null;
        _detokenizer = null;
        Phase = SlotPhase.Idle;
    }
}
