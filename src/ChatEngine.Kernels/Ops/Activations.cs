using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChatEngine.Kernels.Ops;

/// <summary>Gated activations of the feed-forward block.</summary>
public static class Activations
{
    private const int ChunkLength = 256;

    /// <summary>
    /// silu(x) = x / (1 + exp(-x)) as ggml_vec_silu_f32 computes it: whole groups of 8 with
    /// <see cref="PolynomialExp"/>, the remaining elements with the C library's expf. <paramref name="output"/> may be
    /// <paramref name="x"/>.
    /// </summary>
    public static void Silu(ReadOnlySpan<float> x, Span<float> output)
    {
        if (output.Length < x.Length)
            throw new ArgumentException($"output has {output.Length} elements, x has {x.Length}", nameof(output));
        var grouped = x.Length & ~7;
        var i = 0;
        if (KernelIsa.Avx2Active)
        {
            ref var source = ref MemoryMarshal.GetReference(x);
            ref var target = ref MemoryMarshal.GetReference(output);
            var one = Vector256.Create(1f);
            for (; i < grouped; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref source, (nuint)i);
                Avx.Divide(v, Avx.Add(one, PolynomialExp.Exp(Avx.Subtract(Vector256<float>.Zero, v)))).StoreUnsafe(ref target, (nuint)i);
            }
        }
        for (; i < grouped; i++) output[i] = x[i] / (1f + PolynomialExp.Exp(0f - x[i]));
        for (; i < x.Length; i++) output[i] = x[i] / (1f + MathF.Exp(-x[i]));
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
