using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Q6_K weights x Q8_K activations, two rows of 4 tokens at a time: each super-block of a row is unpacked to 6-bit
/// quants and its 16 scales widened once for the 4 tokens, and each token's bias products (32 x its quants, the -32 of
/// the 6-bit encoding) are made once for the 2 rows. Per output the arithmetic is <see cref="Q6_KDot.Simd"/>'s: the
/// same exact integer lanes, one fma(d * dy, lanes) per super-block, its horizontal sum.
/// </summary>
internal static unsafe class Q6_KTile
{
    public const int Rows = 2;
    private const int Chunks = BlockLayout.QK_K / 32;

    [SkipLocalsInit]
    public static void FourTokens(byte* w, int rowBytes, byte* a, int activationRowBytes, float* y, int yStride, int cols)
    {
        const int tokens = TileKernel.TokenGroup;
        var quants = stackalloc Vector256<byte>[Rows * Chunks];
        var scales = stackalloc Vector256<short>[Rows * Chunks];
        var acc = stackalloc Vector256<float>[Rows * tokens];
        for (var i = 0; i < Rows * tokens; i++) acc[i] = Vector256<float>.Zero;
        var biasQuant = Vector256.Create((byte)32);
        var stride = (nint)activationRowBytes;
        for (var block = 0; block < cols / BlockLayout.QK_K; block++, w += BlockLayout.Q6_KBytes, a += BlockLayout.Q8_KBytes)
        {
            Unpack(w, quants, scales);
            Unpack(w + rowBytes, quants + Chunks, scales + Chunks);
            var d0 = HalfToSingle(w + 208);
            var d1 = HalfToSingle(w + rowBytes + 208);
            var activation = a;
            for (var t = 0; t < tokens; t++, activation += stride)
            {
                var q8 = (sbyte*)(activation + BlockLayout.Q8_KQuants);
                Vector256<int> sum0 = default, sum1 = default;
                Step(quants, scales, q8, 0, biasQuant, ref sum0, ref sum1);
                Step(quants, scales, q8, 1, biasQuant, ref sum0, ref sum1);
                Step(quants, scales, q8, 2, biasQuant, ref sum0, ref sum1);
                Step(quants, scales, q8, 3, biasQuant, ref sum0, ref sum1);
                Step(quants, scales, q8, 4, biasQuant, ref sum0, ref sum1);
                Step(quants, scales, q8, 5, biasQuant, ref sum0, ref sum1);
                Step(quants, scales, q8, 6, biasQuant, ref sum0, ref sum1);
                Step(quants, scales, q8, 7, biasQuant, ref sum0, ref sum1);
                var dy = *(float*)activation;
                acc[t] = Fma.MultiplyAdd(Vector256.Create(d0 * dy), Avx.ConvertToVector256Single(sum0), acc[t]);
                acc[tokens + t] = Fma.MultiplyAdd(Vector256.Create(d1 * dy), Avx.ConvertToVector256Single(sum1), acc[tokens + t]);
            }
        }
        for (var t = 0; t < tokens; t++)
        {
            y[t * yStride] = Avx2Helpers.HorizontalSum(acc[t]);
            y[t * yStride + 1] = Avx2Helpers.HorizontalSum(acc[tokens + t]);
        }
    }

    /// <summary>One row's super-block as 8 chunks of 32 quants (value + 32) and, per chunk, its two sub-block scales as 16-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpack(byte* w, Vector256<byte>* quants, Vector256<short>* scales)
    {
        Q6_KDot.UnpackHalf(w, 0, out quants[0], out quants[1], out quants[2], out quants[3]);
        Q6_KDot.UnpackHalf(w, 1, out quants[4], out quants[5], out quants[6], out quants[7]);
        var s = (sbyte*)(w + 192);
        for (var c = 0; c < Chunks; c++) scales[c] = Avx2Helpers.Scales16(s[2 * c], s[2 * c + 1]);
    }

    /// <summary>
    /// Chunk <paramref name="c"/> of both rows for one token: scale x (quants x q8 - 32 x q8) in 32-bit pairs, the bias
    /// products made once for the two rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(Vector256<byte>* quants, Vector256<short>* scales, sbyte* q8, int c, Vector256<byte> biasQuant,
        ref Vector256<int> sum0, ref Vector256<int> sum1)
    {
        var activations = Avx.LoadVector256(q8 + 32 * c);
        var bias = Avx2.MultiplyAddAdjacent(biasQuant, activations);
        sum0 = Avx2.Add(sum0, Avx2.MultiplyAddAdjacent(scales[c], Avx2.Subtract(Avx2.MultiplyAddAdjacent(quants[c], activations), bias)));
        sum1 = Avx2.Add(sum1, Avx2.MultiplyAddAdjacent(scales[Chunks + c], Avx2.Subtract(Avx2.MultiplyAddAdjacent(quants[Chunks + c], activations), bias)));
    }
}
