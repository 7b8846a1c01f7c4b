using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Q4_0 weights (value = (nibble - 8) * d) x Q8_0 activations. On AVX2, llama.cpp repacks Q4_0 matrices into
/// interleaved 8-row blocks (ggml_gemv/gemm_q4_0_8x8_q8_0), where each output is one float lane accumulated block by
/// block: acc = fma(sum of the block's 32 integer products, dx * dy, acc). The SIMD path keeps that order.
/// </summary>
internal static unsafe class Q4_0Dot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q4_0Bytes, y += BlockLayout.Q8_0Bytes)
        {
            var qs = x + 2;
            var qy = (sbyte*)(y + 2);
            var sumi = 0;
            for (var j = 0; j < BlockLayout.QK / 2; j++)
            {
                sumi += ((qs[j] & 0x0f) - 8) * qy[j];
                sumi += ((qs[j] >> 4) - 8) * qy[j + BlockLayout.QK / 2];
            }
            sum += sumi * (HalfToSingle(x) * HalfToSingle(y));
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = 0f;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q4_0Bytes, y += BlockLayout.Q8_0Bytes)
            acc = BlockStep(x, y, acc);
        return acc;
    }

    /// <summary>Two blocks per step through 512-bit integer products; the block sums are exact, so this is bitwise <see cref="Simd"/>.</summary>
    public static float Avx512(byte* x, byte* y, int count)
    {
        var acc = 0f;
        var eight = Vector512.Create((byte)8);
        var blocks = count / BlockLayout.QK;
        var block = 0;
        for (; block + 2 <= blocks; block += 2, x += 2 * BlockLayout.Q4_0Bytes, y += 2 * BlockLayout.Q8_0Bytes)
        {
            var qx = (Vector512.Create(Avx2Helpers.Nibbles32(x + 2), Avx2Helpers.Nibbles32(x + 2 + BlockLayout.Q4_0Bytes)) - eight).AsSByte();
            var products = Avx512Helpers.DotSigned(qx, Avx512Helpers.LoadHalves(y + 2, y + 2 + BlockLayout.Q8_0Bytes));
            var (first, second) = BlockSums(products);
            acc = MathF.FusedMultiplyAdd(first, HalfToSingle(x) * HalfToSingle(y), acc);
            acc = MathF.FusedMultiplyAdd(second, HalfToSingle(x + BlockLayout.Q4_0Bytes) * HalfToSingle(y + BlockLayout.Q8_0Bytes), acc);
        }
        if (block < blocks) acc = BlockStep(x, y, acc);
        return acc;
    }

    /// <summary>acc + one block's dot product, as <see cref="Simd"/> adds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float BlockStep(byte* x, byte* y, float acc)
    {
        var qx = Avx2.Subtract(Avx2Helpers.Nibbles32(x + 2), Vector256.Create((byte)8)).AsSByte();
        var products = Avx2Helpers.DotSigned(qx, Avx.LoadVector256((sbyte*)(y + 2)));
        return MathF.FusedMultiplyAdd(Avx2Helpers.HorizontalSum(products), HalfToSingle(x) * HalfToSingle(y), acc);
    }

    /// <summary>The integer sums of the lower and the upper 8 lanes.</summary>
    private static (int First, int Second) BlockSums(Vector512<int> products)
    {
        var pairs = Avx2.HorizontalAdd(products.GetLower(), products.GetUpper());
        var quads = Avx2.HorizontalAdd(pairs, pairs);
        var sums = Sse2.Add(quads.GetLower(), quads.GetUpper());
        return (sums.ToScalar(), sums.GetElement(1));
    }
}
