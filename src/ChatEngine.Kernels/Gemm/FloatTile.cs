using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Batched products of float weights (F32, or F16 / BF16 converted to F32 once per block of rows) with float
/// activations, 4 rows x 2 tokens at a time: what llama.cpp does with llamafile's tinyBLAS when two or more tokens
/// meet F32, F16 or BF16 weights (quantized types need nothing of the kind: tinyBLAS's order for them equals
/// vec_dot's). Each output keeps tinyBLAS's order, one 8-lane FMA accumulator over the row and then
/// <see cref="Avx2Helpers.HorizontalSum(Vector256{float})"/>, so it is bitwise <see cref="FloatDot.F32Batch"/> of the
/// row as F32; the tile shares each weight load between 2 tokens and each activation load between 4 rows.
/// </summary>
internal static unsafe class FloatTile
{
    public const int Rows = 4;
    public const int Tokens = 2;

    /// <summary>True when a batch of <paramref name="type"/> weights with <paramref name="cols"/> columns goes through these tiles.</summary>
    public static bool Serves(GgmlType type, int cols) =>
        KernelIsa.Avx2Active && cols % 8 == 0 && type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16;

    /// <summary>Writes <paramref name="count"/> F16 or BF16 values at <paramref name="source"/> as floats (count a multiple of 8).</summary>
    public static void ToSingles(GgmlType type, byte* source, int count, float* destination)
    {
        if (type == GgmlType.F16)
            for (var i = 0; i < count; i += 8) Avx.Store(destination + i, HalvesToSingles(source + 2 * i));
        else
            for (var i = 0; i < count; i += 8) Avx.Store(destination + i, BFloat16sToSingles(source + 2 * i));
    }

    /// <summary>
    /// y[t * yStride + r] = dot(row r of <paramref name="w"/>, activation row t) for r &lt; 4, t &lt; 2; weight rows are
    /// <paramref name="cols"/> floats apart, activation rows <paramref name="activationStride"/> floats apart.
    /// </summary>
    public static void FourRowsTwoTokens(float* w, int cols, float* a, int activationStride, float* y, int yStride)
    {
        Vector256<float> r0t0 = default, r1t0 = default, r2t0 = default, r3t0 = default;
        Vector256<float> r0t1 = default, r1t1 = default, r2t1 = default, r3t1 = default;
        var a1 = a + activationStride;
        for (var i = 0; i < cols; i += 8)
        {
            var x0 = Avx.LoadVector256(a + i);
            var x1 = Avx.LoadVector256(a1 + i);
            var w0 = Avx.LoadVector256(w + i);
            r0t0 = Fma.MultiplyAdd(w0, x0, r0t0);
            r0t1 = Fma.MultiplyAdd(w0, x1, r0t1);
            var w1 = Avx.LoadVector256(w + cols + i);
            r1t0 = Fma.MultiplyAdd(w1, x0, r1t0);
            r1t1 = Fma.MultiplyAdd(w1, x1, r1t1);
            var w2 = Avx.LoadVector256(w + 2 * cols + i);
            r2t0 = Fma.MultiplyAdd(w2, x0, r2t0);
            r2t1 = Fma.MultiplyAdd(w2, x1, r2t1);
            var w3 = Avx.LoadVector256(w + 3 * cols + i);
            r3t0 = Fma.MultiplyAdd(w3, x0, r3t0);
            r3t1 = Fma.MultiplyAdd(w3, x1, r3t1);
        }
        y[0] = Avx2Helpers.HorizontalSum(r0t0);
        y[1] = Avx2Helpers.HorizontalSum(r1t0);
        y[2] = Avx2Helpers.HorizontalSum(r2t0);
        y[3] = Avx2Helpers.HorizontalSum(r3t0);
        y[yStride] = Avx2Helpers.HorizontalSum(r0t1);
        y[yStride + 1] = Avx2Helpers.HorizontalSum(r1t1);
        y[yStride + 2] = Avx2Helpers.HorizontalSum(r2t1);
        y[yStride + 3] = Avx2Helpers.HorizontalSum(r3t1);
    }
}
