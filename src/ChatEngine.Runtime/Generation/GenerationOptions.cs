using ChatEngine.Runtime.Constraints;
using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Sampling;

namespace ChatEngine.Runtime.Generation;

/// <summary>How long to generate, how to pick tokens and when to stop.</summary>
public sealed record GenerationOptions
{
    private readonly int _maxTokens = 128;

    /// <summary>Upper bound on generated tokens (OpenAI's max_tokens).</summary>
    public int MaxTokens
    {
        get => _maxTokens;
        init => _maxTokens = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxTokens), value, "max tokens must be at least 1");
    }

    public SamplingOptions Sampling { get; init; } = SamplingOptions.Default;

    /// <summary>Generation ends when the text contains one of these; the stop sequence itself is not returned.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>LoRA adapters (and scales) the whole sequence is evaluated with, prompt included.</summary>
    public LoraSelection Adapters { get; init; } = LoraSelection.None;

    /// <summary>Keep going past end-of-generation tokens (for fixed-length benchmarks).</summary>
    public bool IgnoreEndOfGeneration { get; init; }

    /// <summary>When set, every generated token reports its log-probability and this many most likely alternatives
    /// (<see cref="GeneratedToken.LogProbabilities"/>).</summary>
    public int? LogProbabilities
    {
        get;
        init => field = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(LogProbabilities), value, "the number of alternatives must be >= 0");
    }

    /// <summary>When set, only tokens that keep the output a prefix of a document of this grammar may be sampled,
    /// end-of-generation only once it is complete, and generation stops as soon as nothing more can follow.</summary>
    public JsonGrammar? OutputGrammar { get; init; }

    /// <summary>
    /// Null (the default): prompt and <see cref="MaxTokens"/> must fit the context. Set: llama-server's
    /// <c>--context-shift</c>, where a sequence that fills its context drops the older half of its tokens after the first
    /// this many (the system prompt, or BOS) and goes on; only the prompt must fit. The serving engine applies it.
    /// </summary>
    public int? ContextShiftKeep
    {
        get;
        init => field = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(ContextShiftKeep), value, "the tokens to keep must be >= 0");
    }
}
