using ChatEngine.Kernels;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Runtime;

/// <summary>
/// Whole-sequence evaluations that produce no tokens, on their own compute pool and scratch so they can run on
/// another thread beside generation on the same model: embeddings (<see cref="Embed"/>) and the log-probabilities of
/// a given text (<see cref="ScoreTokens"/>). One call at a time.
/// </summary>
public sealed class DetachedEvaluator : IDisposable
{
    private readonly LanguageModel _model;
    private readonly ComputePool _pool;
    private readonly Transformer _transformer;
    private float[] _hidden = [];
    private float[]? _logits;

    public DetachedEvaluator(LanguageModel model, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _pool = new ComputePool(threads);
        _transformer = new Transformer(model.Parameters, model.Weights, _pool);
    }

    /// <summary>The LoRA adapters the following evaluations apply (none by default).</summary>
    public LoraSelection Adapters
    {
        get => _transformer.Adapters;
        set => _transformer.Adapters = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The length of an embedding: the model's hidden size.</summary>
    public int Dimensions => _model.Parameters.EmbeddingSize;

    /// <summary>The embedding of <paramref name="tokens"/> (at least one): see <see cref="MeanPooling"/>.</summary>
    public float[] Embed(ReadOnlySpan<int> tokens) =>
        MeanPooling.Embed(_transformer, new KvCache(_model.Parameters, Math.Max(1, tokens.Length), _model.CacheFormat), tokens, ref _hidden);

    /// <summary>Each token's log-probability given the ones before it, with the <paramref name="top"/> most likely
    /// alternatives (<see cref="TokenLogProbabilities"/>); null for the first token, which has no context.</summary>
    public TokenLogProbabilities?[] ScoreTokens(ReadOnlySpan<int> tokens, int top)
    {
        var vocab = _model.Parameters.VocabSize;
        _logits ??= new float[Transformer.MaxBatch * vocab];
        var cache = new KvCache(_model.Parameters, Math.Max(1, tokens.Length), _model.CacheFormat);
        var scores = new TokenLogProbabilities?[tokens.Length];
        for (var start = 0; start + 1 < tokens.Length; start += Transformer.MaxBatch)
        {
            // Positions start..end-1 predict tokens start+1..end.
            var chunk = tokens.Slice(start, Math.Min(Transformer.MaxBatch, tokens.Length - 1 - start));
            _transformer.Evaluate(cache, chunk, _logits.AsSpan(0, chunk.Length * vocab));
            for (var t = 0; t < chunk.Length; t++)
                scores[start + t + 1] = TokenLogProbabilities.Compute(_logits.AsSpan(t * vocab, vocab), tokens[start + t + 1], top);
        }
        return scores;
    }

    public void Dispose() => _pool.Dispose();
}
