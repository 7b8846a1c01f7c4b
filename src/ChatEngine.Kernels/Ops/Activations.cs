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

    /// <summary>
    /// GeGLU: output = gelu_tanh(gate) * up as ggml_vec_geglu_f32 computes it on the CPU: for -10 &lt; gate &lt; 10 the
    /// GELU is looked up in an F16 table at the gate rounded to F16; below that it is 0 and above it the gate itself.
    /// <paramref name="output"/> may be <paramref name="gate"/> or <paramref name="up"/>.
    /// </summary>
    public static void GeGlu(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> output)
    {
        if (up.Length != gate.Length)
            throw new ArgumentException($"up has {up.Length} elements, gate has {gate.Length}", nameof(up));
        if (output.Length < gate.Length)
            throw new ArgumentException($"output has {output.Length} elements, gate has {gate.Length}", nameof(output));
        var table = GeluTable.Value;
        for (var i = 0; i < gate.Length; i++)
        {
            var x = gate[i];
            output[i] = x <= -10f ? 0f
                : x >= 10f ? x * up[i]
                : (float)table[BitConverter.HalfToUInt16Bits((Half)x)] * up[i];
        }
    }

    /// <summary>ggml_table_gelu_f16: the tanh GELU of every F16 value, rounded to F16.</summary>
    private static readonly Lazy<Half[]> GeluTable = new(() =>
    {
        var table = new Half[1 << 16];
        for (var i = 0; i < table.Length; i++) table[i] = (Half)GeluTanh((float)BitConverter.UInt16BitsToHalf((ushort)i));
        return table;
    });

    /// <summary>0.5 x (1 + tanh(√(2/π) x (1 + 0.044715 x²))), in ggml_gelu_f32's order of float operations.</summary>
    private static float GeluTanh(float x)
    {
        const float sqrtTwoOverPi = 0.79788456080286535587989211986876f;
        const float coefficient = 0.044715f;
        return 0.5f * x * (1f + MathF.Tanh(sqrtTwoOverPi * x * (1f + coefficient * x * x)));
    }
}
