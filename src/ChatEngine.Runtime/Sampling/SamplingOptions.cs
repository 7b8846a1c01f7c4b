using System.Collections.ObjectModel;

namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// Sampling parameters with llama.cpp's defaults (common_params_sampling). Every property validates on
/// <c>init</c> (including in <c>with</c> expressions) and throws <see cref="ArgumentOutOfRangeException"/> naming
/// the property.
/// </summary>
public sealed record SamplingOptions
{
    public static SamplingOptions Default { get; } = new();

    /// <summary>Temperature 0: always the arg-max after logit bias and penalties.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0f };

    /// <summary>Divides the logits before the draw; 0 means greedy. Default 0.8.</summary>
    public float Temperature
    {
        get;
        init => field = float.IsFinite(value) && value >= 0f ? value : throw OutOfRange(nameof(Temperature), value, "must be finite and >= 0 (0 = greedy)");
    } = 0.8f;

    /// <summary>Keep only the K most likely tokens; 0 disables. Default 40.</summary>
    public int TopK
    {
        get;
        init => field = value >= 0 ? value : throw OutOfRange(nameof(TopK), value, "must be >= 0 (0 = disabled)");
    } = 40;

    /// <summary>Nucleus threshold in (0, 1]; 1 disables. Default 0.95.</summary>
    public float TopP
    {
        get;
        init => field = value > 0f && value <= 1f ? value : throw OutOfRange(nameof(TopP), value, "must be in (0, 1] (1 = disabled)");
    } = 0.95f;

    /// <summary>Minimum probability relative to the most likely token, in [0, 1]; 0 disables. Default 0.05.</summary>
    public float MinP
    {
        get;
        init => field = value >= 0f && value <= 1f ? value : throw OutOfRange(nameof(MinP), value, "must be in [0, 1] (0 = disabled)");
    } = 0.05f;

    /// <summary>Locally typical sampling mass in (0, 1]; 1 disables (the default).</summary>
    public float TypicalP
    {
        get;
        init => field = value > 0f && value <= 1f ? value : throw OutOfRange(nameof(TypicalP), value, "must be in (0, 1] (1 = disabled)");
    } = 1f;

    /// <summary>Each truncation stage (top-p, min-p, typical-p) keeps at least this many candidates. Default 0.</summary>
    public int MinKeep
    {
        get;
        init => field = value >= 0 ? value : throw OutOfRange(nameof(MinKeep), value, "must be >= 0");
    }

    /// <summary>Repetition penalty (&gt; 0); 1 disables (the default).</summary>
    public float RepeatPenalty
    {
        get;
        init => field = float.IsFinite(value) && value > 0f ? value : throw OutOfRange(nameof(RepeatPenalty), value, "must be finite and > 0 (1 = disabled)");
    } = 1f;

    /// <summary>How many of the most recent tokens the penalties look at; 0 disables them. Default 64.
    /// (llama.cpp's -1, "the whole context", must be resolved by the caller to the context length.)</summary>
    public int RepeatLastN
    {
        get;
        init => field = value >= 0 ? value : throw OutOfRange(nameof(RepeatLastN), value, "must be >= 0 (0 = disabled); pass the context length for 'whole context'");
    } = 64;

    /// <summary>Subtracted once from the logit of every token present in the window. Default 0.</summary>
    public float PresencePenalty
    {
        get;
        init => field = float.IsFinite(value) ? value : throw OutOfRange(nameof(PresencePenalty), value, "must be finite");
    }

    /// <summary>Subtracted per occurrence in the window. Default 0.</summary>
    public float FrequencyPenalty
    {
        get;
        init => field = float.IsFinite(value) ? value : throw OutOfRange(nameof(FrequencyPenalty), value, "must be finite");
    }

    /// <summary>Token id -&gt; value added to its logit; <see cref="float.NegativeInfinity"/> bans the token.
    /// Stored as an immutable copy.</summary>
    public IReadOnlyDictionary<int, float> LogitBias
    {
        get;
        init => field = ValidateBias(value);
    } = ReadOnlyDictionary<int, float>.Empty;

    /// <summary>Seed of the random draw; null picks a random one (see <see cref="SamplerChain.Seed"/>).</summary>
    public ulong? Seed { get; init; }

    public bool IsGreedy => Temperature == 0f;

    public bool HasPenalties =>
        RepeatLastN > 0 && (RepeatPenalty != 1f || FrequencyPenalty != 0f || PresencePenalty != 0f);

    private static ReadOnlyDictionary<int, float> ValidateBias(IReadOnlyDictionary<int, float>? biases)
    {
        ArgumentNullException.ThrowIfNull(biases, nameof(LogitBias));
        var copy = new Dictionary<int, float>(biases.Count);
        foreach (var (token, bias) in biases)
        {
            if (token < 0) throw OutOfRange(nameof(LogitBias), token, "token ids must be >= 0");
            if (float.IsNaN(bias) || float.IsPositiveInfinity(bias))
                throw OutOfRange(nameof(LogitBias), bias, $"the bias of token {token} must be finite or -infinity");
            copy[token] = bias;
        }
        return new ReadOnlyDictionary<int, float>(copy);
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string rule) =>
        new(name, value, $"{name} {rule}");
}
