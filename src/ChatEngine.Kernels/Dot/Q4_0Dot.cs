using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>Q4_0 weights (value = (nibble - 8) * d) x Q8_0 activations.</summary>
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
        var acc = Vector256<float>.Zero;
        var eight = Vector256.Create((byte)8);
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q4_0Bytes, y += BlockLayout.Q8_0Bytes)
        {
            var d = Vector256.Create(HalfToSingle(x) * HalfToSingle(y));
            var qx = Avx2.Subtract(Avx2Helpers.Nibbles32(x + 2), eight).AsSByte();
            var products = Avx2Helpers.DotSigned(qx, Avx.LoadVector256((sbyte*)(y + 2)));
            acc = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(products), acc);
        }
        return Avx2Helpers.HorizontalSum(acc);
    }
}
