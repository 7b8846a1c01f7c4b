using System.Numerics.Tensors;
using ChatEngine.Kernels;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Runtime;

/// <summary>
/// Embeddings from a language model: the mean over the input tokens of the final hidden states (after the output
/// norm), scaled to unit length. Has its own compute pool and scratch, so it can run on another thread beside
/// generation on the same model; one <see cref="Embed"/> at a time.
/// </summary>
public sealed class TextEmbedder : IDisposable
{
    private readonly LanguageModel _model;
    private readonly ComputePool _pool;
    private readonly Transformer _transformer;
    private readonly float[] _hidden;

    public TextEmbedder(LanguageModel model, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _pool = new ComputePool(threads);
        _transformer = new Transformer(model.Parameters, model.Weights, _pool);
        _hidden = new float[Transformer.MaxBatch * Dimensions];
    }

    public int Dimensions => _model.Parameters.EmbeddingSize;

    /// <summary>The unit-length mean hidden state of <paramref name="tokens"/> (at least one).</summary>
    public float[] Embed(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty) throw new ArgumentException("nothing to embed: no tokens", nameof(tokens));
        var cache = new KvCache(_model.Parameters, tokens.Length);
        var sum = new float[Dimensions];
        for (var start = 0; start < tokens.Length; start += Transformer.MaxBatch)
        {
            var chunk = tokens.Slice(start, Math.Min(Transformer.MaxBatch, tokens.Length - start));
            _transformer.EvaluateHiddenStates(cache, chunk, _hidden);
            for (var t = 0; t < chunk.Length; t++) TensorPrimitives.Add(sum, _hidden.AsSpan(t * Dimensions, Dimensions), sum);
        }
        // The mean's 1/n vanishes in the normalisation.
        var norm = TensorPrimitives.Norm(sum);
        if (norm > 0) TensorPrimitives.Divide(sum, norm, sum);
        return sum;
    }

    public void Dispose() => _pool.Dispose();
}
