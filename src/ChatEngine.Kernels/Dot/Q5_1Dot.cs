using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>Q5_1 weights (value = (nibble | qh bit &lt;&lt; 4) * d + m) x Q8_1 activations.</summary>
internal static unsafe class Q5_1Dot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q5_1Bytes, y += BlockLayout.Q8_1Bytes)
        {
            var qh = Unsafe.ReadUnaligned<uint>(x + 4);
            var qs = x + 8;
            var qy = (sbyte*)(y + 4);
            var sumi = 0;
            for (var j = 0; j < BlockLayout.QK / 2; j++)
            {
                var low = (int)((qs[j] & 0x0fu) | (((qh >> j) & 1) << 4));
                var high = (int)(((uint)qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
                sumi += low * qy[j] + high * qy[j + BlockLayout.QK / 2];
            }
            sum += HalfToSingle(x) * HalfToSingle(y) * sumi + HalfToSingle(x + 2) * HalfToSingle(y + 2);
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        var mins = 0f;
        var fifthBit = Vector256.Create((byte)0x10);
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q5_1Bytes, y += BlockLayout.Q8_1Bytes)
        {
            mins += HalfToSingle(x + 2) * HalfToSingle(y + 2);
            var d = Vector256.Create(HalfToSingle(x) * HalfToSingle(y));
            var high = Avx2.And(Avx2Helpers.BytesFromBits32(x + 4), fifthBit);
            var qx = Avx2.Or(Avx2Helpers.Nibbles32(x + 8), high);
            var products = Avx2Helpers.DotUnsigned(qx, Avx.LoadVector256((sbyte*)(y + 4)));
            acc = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(products), acc);
        }
        return Avx2Helpers.HorizontalSum(acc) + mins;
    }
}
