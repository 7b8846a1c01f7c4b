using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Q4_K weights x Q8_K activations, one row of 4 tokens at a time: each super-block's scales, mins and nibbles are
/// decoded once for the 4 tokens, the scales with shuffles rather than byte extractions. (A one-token form of this
/// measured slower than <see cref="Q4_KDot.Simd"/>, which single tokens therefore keep.) Per output the arithmetic is
/// <see cref="Q4_KDot.Simd"/>'s: exact integer sums, an 8-lane accumulator fma(dy * d, sums) and a 4-lane one
/// fma(-dy * dmin, min products), added at the end.
/// </summary>
internal static unsafe class Q4_KTile
{
    public const int Rows = 1;

    public static void FourTokens(byte* w, int rowBytes, byte* a, int activationRowBytes, float* y, int yStride, int cols)
    {
        var nibbles = stackalloc Vector256<byte>[8];
        var scales = stackalloc Vector256<short>[8];
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector128<float> mins0 = default, mins1 = default, mins2 = default, mins3 = default;
        for (var block = 0; block < cols / BlockLayout.QK_K; block++, w += BlockLayout.Q4_KBytes, a += BlockLayout.Q8_KBytes)
        {
            var packedMins = Decode(w, nibbles, scales);
            var d = HalfToSingle(w);
            var dmin = HalfToSingle(w + 2);
            Accumulate(a, nibbles, scales, d, dmin, packedMins, ref acc0, ref mins0);
            Accumulate(a + activationRowBytes, nibbles, scales, d, dmin, packedMins, ref acc1, ref mins1);
            Accumulate(a + 2 * activationRowBytes, nibbles, scales, d, dmin, packedMins, ref acc2, ref mins2);
            Accumulate(a + 3 * activationRowBytes, nibbles, scales, d, dmin, packedMins, ref acc3, ref mins3);
        }
        y[0] = Avx2Helpers.HorizontalSum(acc0) + Avx2Helpers.HorizontalSum(mins0);
        y[yStride] = Avx2Helpers.HorizontalSum(acc1) + Avx2Helpers.HorizontalSum(mins1);
        y[2 * yStride] = Avx2Helpers.HorizontalSum(acc2) + Avx2Helpers.HorizontalSum(mins2);
        y[3 * yStride] = Avx2Helpers.HorizontalSum(acc3) + Avx2Helpers.HorizontalSum(mins3);
    }

    /// <summary>
    /// The super-block's 8 sub-blocks of 32 nibbles and their scales, each scale in all 16-bit lanes (one byte shuffle
    /// each: the mask picks the scale's byte and a zero); returns the packed mins.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Decode(byte* w, Vector256<byte>* nibbles, Vector256<short>* scales)
    {
        KQuantScales.DecodeQ4K(w + 4, out var packedScales, out var packedMins);
        for (var c = 0; c < 4; c++)
        {
            var bits = Avx.LoadVector256(w + 16 + 32 * c);
            nibbles[2 * c] = Avx2Helpers.LowNibbles(bits);
            nibbles[2 * c + 1] = Avx2Helpers.HighNibbles(bits);
        }
        var scaleBytes = KQuantScales.ScaleBytes(packedScales);
        for (var s = 0; s < 8; s++) scales[s] = KQuantScales.InAllLanes(scaleBytes, s);
        return packedMins;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(byte* a, Vector256<byte>* nibbles, Vector256<short>* scales, float d, float dmin, ulong packedMins,
        ref Vector256<float> acc, ref Vector128<float> accMins)
    {
        var yd = *(float*)a;
        var minProducts = Q4_KDot.MinProducts(packedMins, (short*)(a + BlockLayout.Q8_KBlockSums));
        accMins = Fma.MultiplyAdd(Vector128.Create(-yd * dmin), Sse2.ConvertToVector128Single(minProducts), accMins);
        var q8 = (sbyte*)(a + BlockLayout.Q8_KQuants);
        var sumi = Vector256<int>.Zero;
        for (var s = 0; s < 8; s++)
            sumi = Avx2.Add(sumi, Avx2.MultiplyAddAdjacent(scales[s], Avx2.MultiplyAddAdjacent(nibbles[s], Avx.LoadVector256(q8 + 32 * s))));
        acc = Fma.MultiplyAdd(Vector256.Create(yd * d), Avx.ConvertToVector256Single(sumi), acc);
    }
}
