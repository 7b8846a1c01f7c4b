using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>Q4_1 weights (value = nibble * d + m) x Q8_1 activations: dx*dy*sum(q*qy) + m * s.</summary>
internal static unsafe class Q4_1Dot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q4_1Bytes, y += BlockLayout.Q8_1Bytes)
        {
            var qs = x + 4;
            var qy = (sbyte*)(y + 4);
            var sumi = 0;
            for (var j = 0; j < BlockLayout.QK / 2; j++)
            {
                sumi += (qs[j] & 0x0f) * qy[j];
                sumi += (qs[j] >> 4) * qy[j + BlockLayout.QK / 2];
            }
            sum += HalfToSingle(x) * HalfToSingle(y) * sumi + HalfToSingle(x + 2) * HalfToSingle(y + 2);
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        var mins = 0f;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q4_1Bytes, y += BlockLayout.Q8_1Bytes)
        {
            mins += HalfToSingle(x + 2) * HalfToSingle(y + 2);
            var d = Vector256.Create(HalfToSingle(x) * HalfToSingle(y));
            var products = Avx2Helpers.DotUnsigned(Avx2Helpers.Nibbles32(x + 4), Avx.LoadVector256((sbyte*)(y + 4)));
            acc = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(products), acc);
        }
        return Avx2Helpers.HorizontalSum(acc) + mins;
    }
}
