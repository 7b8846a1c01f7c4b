using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>Q8_0 weights x Q8_0 activations: per block sum(qx*qy) * dx * dy.</summary>
internal static unsafe class Q8_0Dot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q8_0Bytes, y += BlockLayout.Q8_0Bytes)
        {
            var qx = (sbyte*)(x + 2);
            var qy = (sbyte*)(y + 2);
            var sumi = 0;
            for (var j = 0; j < BlockLayout.QK; j++) sumi += qx[j] * qy[j];
            sum += sumi * (HalfToSingle(x) * HalfToSingle(y));
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q8_0Bytes, y += BlockLayout.Q8_0Bytes)
        {
            var d = Vector256.Create(HalfToSingle(x) * HalfToSingle(y));
            var products = Avx2Helpers.DotSigned(Avx.LoadVector256((sbyte*)(x + 2)), Avx.LoadVector256((sbyte*)(y + 2)));
            acc = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(products), acc);
        }
        return Avx2Helpers.HorizontalSum(acc);
    }
}
