using System.Numerics.Tensors;
using ChatEngine.Kernels;
using ChatEngine.Kernels.Quants;

namespace ChatEngine.Runtime.Lora;

/// <summary>
/// Adds a <see cref="LoraSelection"/>'s low-rank terms to the transformer's results without touching the base weights,
/// computed as llama.cpp's graph does: y = W x, then per adapter y += factor * (B (A x)), where A x and B (A x) are
/// matrix products of their own (same kernels as the base), scaled, then added. Holds the scratch of one transformer.
/// </summary>
public sealed class LoraProjection(ComputePool pool)
{
    private float[] _down = [];
    private float[] _up = [];

    /// <summary>Adds every term for <paramref name="baseMatrix"/> to <paramref name="output"/> (tokens x rows), given its input (tokens x cols).</summary>
    public void AddTo(LoraSelection selection, in WeightMatrix baseMatrix, ReadOnlySpan<float> input, int tokens, Span<float> output)
    {
        foreach (var term in selection.TermsFor(baseMatrix))
        {
            var down = Scratch(ref _down, tokens * term.Weight.Rank);
            MatMul.Multiply(pool, term.Weight.A, input, tokens, down);
            AddUp(term, down, tokens, output);
        }
    }

    /// <summary>Adds the embedding terms to <paramref name="embeddings"/> (tokens x embd) of <paramref name="tokens"/>.</summary>
    public void AddToEmbeddings(LoraSelection selection, ReadOnlySpan<int> tokens, Span<float> embeddings)
    {
        foreach (var term in selection.EmbeddingTerms)
        {
            var a = term.Weight.A;
            var rank = term.Weight.Rank;
            var down = Scratch(ref _down, tokens.Length * rank);
            for (var t = 0; t < tokens.Length; t++) QuantFormats.Dequantize(a.Type, a.Row(tokens[t]), down.Slice(t * rank, rank));
            AddUp(term, down, tokens.Length, embeddings);
        }
    }

    private void AddUp(LoraSelection.Term term, ReadOnlySpan<float> down, int tokens, Span<float> output)
    {
        var b = term.Weight.B;
        var up = Scratch(ref _up, tokens * b.Rows);
        MatMul.Multiply(pool, b, down, tokens, up);
        TensorPrimitives.Multiply(up, term.Factor, up);
        var target = output[..up.Length];
        TensorPrimitives.Add(target, up, target);
    }

    private static Span<float> Scratch(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
