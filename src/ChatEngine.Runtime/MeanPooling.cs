using System.Numerics.Tensors;
using ChatEngine.Runtime.Model;

namespace ChatEngine.Runtime;

/// <summary>
/// Sequence embeddings: the mean of every token's final hidden state (after the output norm), scaled to unit length,
/// so cosine similarity is a dot product. The mean's 1/n vanishes in the normalisation.
/// </summary>
internal static class MeanPooling
{
    /// <summary>Appends <paramref name="tokens"/> (at least one) to <paramref name="cache"/> and returns their embedding;
    /// <paramref name="scratch"/> is grown to tokens x embedding when shorter.</summary>
    public static float[] Embed(Transformer transformer, KvCache cache, ReadOnlySpan<int> tokens, ref float[] scratch)
    {
        if (tokens.IsEmpty) throw new ArgumentException("nothing to embed: no tokens", nameof(tokens));
        var dimensions = transformer.Parameters.EmbeddingSize;
        if (scratch.Length < tokens.Length * dimensions) scratch = new float[tokens.Length * dimensions];
        transformer.EvaluateHiddenStates(cache, tokens, scratch);
        var sum = new float[dimensions];
        for (var t = 0; t < tokens.Length; t++) TensorPrimitives.Add(sum, scratch.AsSpan(t * dimensions, dimensions), sum);
        var norm = TensorPrimitives.Norm(sum);
        if (norm > 0) TensorPrimitives.Divide(sum, norm, sum);
        return sum;
    }
}
