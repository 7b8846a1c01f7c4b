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
        var eight = Vector256.Create((byte)8);
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q4_0Bytes, y += BlockLayout.Q8_0Bytes)
        {
            var qx = Avx2.Subtract(Avx2Helpers.Nibbles32(x + 2), eight).AsSByte();
            var products = Avx2Helpers.DotSigned(qx, Avx.LoadVector256((sbyte*)(y + 2)));
            acc = MathF.FusedMultiplyAdd(Avx2Helpers.HorizontalSum(products), HalfToSingle(x) * HalfToSingle(y), acc);
        }
        return acc;
    }
}
