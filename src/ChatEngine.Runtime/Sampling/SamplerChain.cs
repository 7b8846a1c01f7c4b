using System.Security.Cryptography;

namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// Turns a logits vector into a token id by running the stages of llama.cpp's default common_sampler chain in
/// its order: logit bias -> penalties -> top-k -> typical-p -> top-p -> min-p -> temperature -> seeded draw
/// (temperature 0: arg-max after bias and penalties). Disabled stages are left out.
/// </summary>
/// <remarks>
/// <see cref="Sample"/> does not record the token: call <see cref="Accept"/> with the token actually appended
/// (or use <see cref="SampleAndAccept"/>), and feed the prompt through <see cref="AcceptPrompt"/> first, as
/// llama.cpp's CLI and server do, so the penalties also see prompt tokens within their window.
/// Not thread-safe: one chain per sequence.
/// </remarks>
public sealed class SamplerChain
{
    private readonly ISamplerStage[] _stages;
    private readonly CandidateList _candidates;
    private int _lastToken = -1;

    /// <summary>Builds the default chain for <paramref name="options"/>, with <paramref name="mask"/> (a stage that
    /// removes tokens that may not come next, e.g. an output grammar) in front of it when given.</summary>
    public SamplerChain(SamplingOptions options, int vocabSize, ISamplerStage? mask = null)
        : this(BuildStages(options, vocabSize, mask), BuildSelector(options, out var seed), vocabSize)
    {
        Options = options;
        Seed = seed;
    }

    /// <summary>Composes a custom chain; the stages run in the given order before <paramref name="selector"/>.</summary>
    public SamplerChain(IEnumerable<ISamplerStage> stages, ITokenSelector selector, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        _stages = [.. stages];
        if (Array.IndexOf(_stages, null) >= 0) throw new ArgumentException("a stage is null", nameof(stages));
        Selector = selector;
        VocabSize = vocabSize;
        _candidates = new CandidateList(vocabSize);
    }

    /// <summary>The options this chain was built from (null for a custom composition).</summary>
    public SamplingOptions? Options { get; }

    /// <summary>The seed actually used by the random draw (chosen at random when the options had none, so the
    /// run can be reproduced); null for greedy and custom chains.</summary>
    public ulong? Seed { get; }

    public int VocabSize { get; }

    public IReadOnlyList<ISamplerStage> Stages => _stages;

    public ITokenSelector Selector { get; }

    /// <summary>After <see cref="Sample"/>: the candidates the final draw chose from, with their post-sampling
    /// probabilities (after every truncation and the temperature).</summary>
    public CandidateList Candidates => _candidates;

    /// <summary>Runs the chain over <paramref name="logits"/> (one per vocabulary entry) and returns the chosen
    /// token id. Throws <see cref="InvalidOperationException"/> when every token is banned.</summary>
    public int Sample(ReadOnlySpan<float> logits)
    {
        _lastToken = -1;
        _candidates.Load(logits);
        foreach (var stage in _stages) stage.Apply(_candidates);
        int index = Selector.Select(_candidates);
        _lastToken = _candidates.Items[index].Id;
        return _lastToken;
    }

    public int SampleAndAccept(ReadOnlySpan<float> logits)
    {
        int token = Sample(logits);
        Accept(token);
        return token;
    }

    /// <summary>Records a token of the sequence (generated or forced) for the history-aware stages.</summary>
    public void Accept(int token)
    {
        if ((uint)token >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token id must be in [0, {VocabSize})");
        foreach (var stage in _stages) stage.Accept(token);
    }

    /// <summary>Records the prompt tokens (BOS included, as llama.cpp does) so penalties cover them too.</summary>
    public void AcceptPrompt(ReadOnlySpan<int> promptTokens)
    {
        foreach (int token in promptTokens) Accept(token);
    }

    /// <summary>Forgets the history and restarts the random stream from <see cref="Seed"/>.</summary>
    public void Reset()
    {
        foreach (var stage in _stages) stage.Reset();
        Selector.Reset();
        _lastToken = -1;
    }

    /// <summary>
    /// The <paramref name="count"/> most likely candidates of the last draw, most likely first, with their
    /// post-sampling probabilities (fewer when fewer survived the truncations). For greedy chains this is the
    /// chosen token with probability 1. Reorders <see cref="Candidates"/>; allocates nothing.
    /// </summary>
    public ReadOnlySpan<TokenCandidate> TopCandidates(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_lastToken < 0) throw new InvalidOperationException("no token has been sampled since the chain was created or reset");
        int n = Math.Min(count, _candidates.Count);
        _candidates.SortTop(n);
        return _candidates.Items[..n];
    }

    private static ISamplerStage[] BuildStages(SamplingOptions options, int vocabSize, ISamplerStage? mask)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stages = new List<ISamplerStage>(8);
        if (mask is not null) stages.Add(mask);
        if (options.LogitBias.Count > 0) stages.Add(new LogitBiasStage(options.LogitBias, vocabSize));
        if (options.HasPenalties)
        {
            stages.Add(new PenaltyStage(options.RepeatLastN, options.RepeatPenalty, options.FrequencyPenalty,
                options.PresencePenalty, vocabSize));
        }
        if (options.IsGreedy) return [.. stages];

        if (options.TopK > 0) stages.Add(new TopKStage(options.TopK));
        if (options.TypicalP < 1f) stages.Add(new TypicalPStage(options.TypicalP, vocabSize, options.MinKeep));
        if (options.TopP < 1f) stages.Add(new TopPStage(options.TopP, options.MinKeep));
        if (options.MinP > 0f) stages.Add(new MinPStage(options.MinP, options.MinKeep));
        if (options.Temperature != 1f) stages.Add(new TemperatureStage(options.Temperature));
        return [.. stages];
    }

    private static ITokenSelector BuildSelector(SamplingOptions options, out ulong? seed)
    {
        if (options.IsGreedy)
        {
            seed = null;
            return new GreedySelector();
        }
        ulong actual = options.Seed ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
        seed = actual;
        return new DistributionSelector(actual);
    }
}
