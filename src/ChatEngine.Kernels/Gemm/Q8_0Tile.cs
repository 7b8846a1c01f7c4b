using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Q8_0 weights x Q8_0 activations, 4 rows of one token at a time. Per output the arithmetic is
/// <see cref="Q8_0Dot.Simd"/>'s (an 8-lane accumulator, fma(dx * dy, block products), summed at the end); the rows
/// share the activation load and its scale, and their 4 scales are converted in one vector.
/// </summary>
internal static unsafe class Q8_0Tile
{
    public const int Rows = 4;

    public static void OneToken(byte* w, int rowBytes, byte* a, int activationRowBytes, float* y, int yStride, int cols)
    {
        var offsets = Vector256.Create(0, 1, 2, 3, 0, 1, 2, 3) * rowBytes;
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (var block = 0; block < cols / BlockLayout.QK; block++, w += BlockLayout.Q8_0Bytes, a += BlockLayout.Q8_0Bytes)
        {
            // Lane r: dx of row r times dy, the row kernel's scalar product.
            var d = Avx.Multiply(HalvesToSingles(Avx2.GatherVector256((int*)w, offsets, 1)), Vector256.Create(HalfToSingle(a)));
            var q8 = Avx.LoadVector256((sbyte*)(a + 2));
            var q = w + 2;
            acc0 = Accumulate(q, q8, d, 0, acc0);
            acc1 = Accumulate(q + rowBytes, q8, d, 1, acc1);
            acc2 = Accumulate(q + 2 * rowBytes, q8, d, 2, acc2);
            acc3 = Accumulate(q + 3 * rowBytes, q8, d, 3, acc3);
        }
        y[0] = Avx2Helpers.HorizontalSum(acc0);
        y[1] = Avx2Helpers.HorizontalSum(acc1);
        y[2] = Avx2Helpers.HorizontalSum(acc2);
        y[3] = Avx2Helpers.HorizontalSum(acc3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Accumulate(byte* quants, Vector256<sbyte> q8, Vector256<float> d, int lane, Vector256<float> acc)
    {
        var products = Avx2Helpers.DotSigned(Avx.LoadVector256((sbyte*)quants), q8);
        return Fma.MultiplyAdd(Avx2.PermuteVar8x32(d, Vector256.Create(lane)), Avx.ConvertToVector256Single(products), acc);
    }
}
