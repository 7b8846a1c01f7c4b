using System.Numerics.Tensors;

namespace ChatEngine.Kernels.Ops;

/// <summary>Gated activations of the feed-forward block.</summary>
public static class Activations
{
    private const int ChunkLength = 256;

    /// <summary>silu(x) = x / (1 + exp(-x)), as ggml_silu_f32. <paramref name="output"/> may be <paramref name="x"/>.</summary>
    public static void Silu(ReadOnlySpan<float> x, Span<float> output)
    {
        if (output.Length < x.Length)
            throw new ArgumentException($"output has {output.Length} elements, x has {x.Length}", nameof(output));
        Span<float> denominator = stackalloc float[ChunkLength];
        for (var start = 0; start < x.Length; start += ChunkLength)
        {
            var length = Math.Min(ChunkLength, x.Length - start);
            var chunk = x.Slice(start, length);
            var d = denominator[..length];
            TensorPrimitives.Negate(chunk, d);
            TensorPrimitives.Exp<float>(d, d);
            TensorPrimitives.Add(d, 1f, d);
            TensorPrimitives.Divide(chunk, d, output.Slice(start, length));
        }
    }

    /// <summary>
    /// SwiGLU: output = silu(gate) * up, in float like llama.cpp's ggml_silu then ggml_mul. <paramref name="output"/>
    /// may be <paramref name="gate"/> or <paramref name="up"/>.
    /// </summary>
    public static void SwiGlu(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> output)
    {
        if (up.Length != gate.Length)
            throw new ArgumentException($"up has {up.Length} elements, gate has {gate.Length}", nameof(up));
        if (output.Length < gate.Length)
            throw new ArgumentException($"output has {output.Length} elements, gate has {gate.Length}", nameof(output));
        Span<float> activated = stackalloc float[ChunkLength];
        for (var start = 0; start < gate.Length; start += ChunkLength)
        {
            var length = Math.Min(ChunkLength, gate.Length - start);
            var a = activated[..length];
            Silu(gate.Slice(start, length), a);
            TensorPrimitives.Multiply(a, up.Slice(start, length), output.Slice(start, length));
        }
    }
}
