using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// F32 / F16 / BF16 weights x float activations. For F16 and BF16 the activations were already rounded to the
/// weight's precision (ggml converts them to F16 / BF16), so every product is exact in float and only the summation
/// order differs from ggml. The scalar versions accumulate in double like ggml's generic code.
/// </summary>
internal static unsafe class FloatDot
{
    public static float F32Scalar(byte* x, byte* y, int count)
    {
        var w = (float*)x;
        var a = (float*)y;
        var sum = 0.0;
        for (var i = 0; i < count; i++) sum += w[i] * a[i];
        return (float)sum;
    }

    /// <summary>ggml_vec_dot_f32 on AVX2: four FMA accumulators over 32-element steps, leftovers FMA'd in float.</summary>
    public static float F32Simd(byte* x, byte* y, int count)
    {
        var w = (float*)x;
        var a = (float*)y;
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var i = 0;
        for (; i + 32 <= count; i += 32)
        {
            acc0 = Fma.MultiplyAdd(Avx.LoadVector256(w + i), Avx.LoadVector256(a + i), acc0);
            acc1 = Fma.MultiplyAdd(Avx.LoadVector256(w + i + 8), Avx.LoadVector256(a + i + 8), acc1);
            acc2 = Fma.MultiplyAdd(Avx.LoadVector256(w + i + 16), Avx.LoadVector256(a + i + 16), acc2);
            acc3 = Fma.MultiplyAdd(Avx.LoadVector256(w + i + 24), Avx.LoadVector256(a + i + 24), acc3);
        }
        var sum = Avx2Helpers.ReduceFourAccumulators(acc0, acc1, acc2, acc3);
        for (; i < count; i++) sum = MathF.FusedMultiplyAdd(w[i], a[i], sum);
        return sum;
    }

    /// <summary>
    /// F32 weights x F32 activations as llamafile's tinyBLAS computes a batch (two or more tokens): one 8-lane FMA
    /// accumulator over the whole row, then <see cref="Avx2Helpers.HorizontalSum(Vector256{float})"/>. F16 and BF16
    /// batches take the same order on their rows converted to F32 (<see cref="Gemm.FloatTile"/>).
    /// </summary>
    public static float F32Batch(byte* x, byte* y, int count)
    {
        var w = (float*)x;
        var a = (float*)y;
        var acc = Vector256<float>.Zero;
        for (var i = 0; i < count; i += 8) acc = Fma.MultiplyAdd(Avx.LoadVector256(w + i), Avx.LoadVector256(a + i), acc);
        return Avx2Helpers.HorizontalSum(acc);
    }

    public static float F16Scalar(byte* x, byte* y, int count)
    {
        var a = (float*)y;
        var sum = 0.0;
        for (var i = 0; i < count; i++) sum += HalfToSingle(x + 2 * i) * a[i];
        return (float)sum;
    }

    /// <summary>ggml_vec_dot_f16 on AVX2: as <see cref="F32Simd"/>, with leftovers added in double.</summary>
    public static float F16Simd(byte* x, byte* y, int count)
    {
        var a = (float*)y;
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var i = 0;
        for (; i + 32 <= count; i += 32)
        {
            acc0 = Fma.MultiplyAdd(HalvesToSingles(x + 2 * i), Avx.LoadVector256(a + i), acc0);
            acc1 = Fma.MultiplyAdd(HalvesToSingles(x + 2 * i + 16), Avx.LoadVector256(a + i + 8), acc1);
            acc2 = Fma.MultiplyAdd(HalvesToSingles(x + 2 * i + 32), Avx.LoadVector256(a + i + 16), acc2);
            acc3 = Fma.MultiplyAdd(HalvesToSingles(x + 2 * i + 48), Avx.LoadVector256(a + i + 24), acc3);
        }
        double sum = Avx2Helpers.ReduceFourAccumulators(acc0, acc1, acc2, acc3);
        for (; i < count; i++) sum += HalfToSingle(x + 2 * i) * a[i];
        return (float)sum;
    }

    public static float BF16Scalar(byte* x, byte* y, int count)
    {
        var w = (ushort*)x;
        var a = (float*)y;
        var sum = 0.0;
        for (var i = 0; i < count; i++) sum += BitConverter.UInt32BitsToSingle((uint)w[i] << 16) * a[i];
        return (float)sum;
    }

    public static float BF16Simd(byte* x, byte* y, int count)
    {
        var w = (ushort*)x;
        var a = (float*)y;
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var i = 0;
        for (; i + 32 <= count; i += 32)
        {
            acc0 = Fma.MultiplyAdd(BFloat16sToSingles(x + 2 * i), Avx.LoadVector256(a + i), acc0);
            acc1 = Fma.MultiplyAdd(BFloat16sToSingles(x + 2 * i + 16), Avx.LoadVector256(a + i + 8), acc1);
            acc2 = Fma.MultiplyAdd(BFloat16sToSingles(x + 2 * i + 32), Avx.LoadVector256(a + i + 16), acc2);
            acc3 = Fma.MultiplyAdd(BFloat16sToSingles(x + 2 * i + 48), Avx.LoadVector256(a + i + 24), acc3);
        }
        double sum = Avx2Helpers.HorizontalSum(Avx.Add(Avx.Add(acc0, acc2), Avx.Add(acc1, acc3)));
        for (; i < count; i++) sum += BitConverter.UInt32BitsToSingle((uint)w[i] << 16) * a[i];
        return (float)sum;
    }
}
