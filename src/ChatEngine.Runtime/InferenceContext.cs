using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Runtime;

/// <summary>One sequence being evaluated: its KV cache and the forward-pass scratch. Use from one thread at a time.</summary>
public sealed class InferenceContext
{
    private readonly Transformer _transformer;
    private readonly float[] _logits;
    private float[] _hidden = [];

    internal InferenceContext(LanguageModel model, int contextSize)
    {
        Model = model;
        Cache = new KvCache(model.Parameters, contextSize, model.CacheFormat);
        _transformer = new Transformer(model.Parameters, model.Weights, model.Pool);
        _logits = new float[model.Parameters.VocabSize];
    }

    public LanguageModel Model { get; }
    public KvCache Cache { get; }
    public int Position => Cache.Length;
    public int ContextSize => Cache.ContextSize;

    /// <summary>
    /// LoRA adapters applied from the next evaluation on (none by default). Positions already in the cache keep what
    /// they were computed with, so switch adapters between sequences (after <see cref="Reset"/>), not inside one.
    /// </summary>
    public LoraSelection Adapters
    {
        get => _transformer.Adapters;
        set => _transformer.Adapters = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Appends tokens and returns the next-token logits after the last one (valid until the next call).</summary>
    public ReadOnlySpan<float> Evaluate(scoped ReadOnlySpan<int> tokens)
    {
        _transformer.Evaluate(Cache, tokens, _logits);
        return _logits;
    }

    /// <summary>The next-token logits of the last <see cref="Evaluate"/>.</summary>
    public ReadOnlySpan<float> Logits => _logits;

    /// <summary>Appends tokens and writes the next-token logits after each of them into <paramref name="logits"/> (tokens x vocab).</summary>
    public void EvaluateAll(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        var needed = tokens.Length * Model.Parameters.VocabSize;
        if (logits.Length < needed) throw new ArgumentException($"logits needs {needed} floats", nameof(logits));
        _transformer.Evaluate(Cache, tokens, logits[..needed]);
    }

    /// <summary>Appends tokens and writes each one's final (output-normed) hidden state into <paramref name="hidden"/> (tokens x embedding).</summary>
    public void EvaluateHiddenStates(ReadOnlySpan<int> tokens, Span<float> hidden) => _transformer.EvaluateHiddenStates(Cache, tokens, hidden);

    /// <summary>Appends tokens (at least one) and returns their embedding: the unit-length mean of their final hidden
    /// states (<see cref="EvaluateHiddenStates"/>).</summary>
    public float[] Embed(ReadOnlySpan<int> tokens) => MeanPooling.Embed(_transformer, Cache, tokens, ref _hidden);

    /// <summary>Drops every position from <paramref name="length"/> on.</summary>
    public void Truncate(int length) => Cache.Truncate(length);

    public void Reset() => Cache.Truncate(0);
}
