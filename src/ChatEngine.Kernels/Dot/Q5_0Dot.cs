using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>Q5_0 weights (value = (nibble | qh bit &lt;&lt; 4) - 16, times d) x Q8_0 activations.</summary>
internal static unsafe class Q5_0Dot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q5_0Bytes, y += BlockLayout.Q8_0Bytes)
        {
            var qh = Unsafe.ReadUnaligned<uint>(x + 2);
            var qs = x + 6;
            var qy = (sbyte*)(y + 2);
            var sumi = 0;
            for (var j = 0; j < BlockLayout.QK / 2; j++)
            {
                var low = (int)((qs[j] & 0x0fu) | (((qh >> j) & 1) << 4)) - 16;
                var high = (int)(((uint)qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
                sumi += low * qy[j] + high * qy[j + BlockLayout.QK / 2];
            }
            sum += sumi * (HalfToSingle(x) * HalfToSingle(y));
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        var highNibble = Vector256.Create((byte)0xf0);
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q5_0Bytes, y += BlockLayout.Q8_0Bytes)
        {
            var d = Vector256.Create(HalfToSingle(x) * HalfToSingle(y));
            // Where the 5th bit is clear, OR-ing 0xF0 into the nibble yields the int8 value nibble - 16.
            var missingHigh = Avx2.AndNot(Avx2Helpers.BytesFromBits32(x + 2), highNibble);
            var qx = Avx2.Or(Avx2Helpers.Nibbles32(x + 6), missingHigh).AsSByte();
            var products = Avx2Helpers.DotSigned(qx, Avx.LoadVector256((sbyte*)(y + 2)));
            acc = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(products), acc);
        }
        return Avx2Helpers.HorizontalSum(acc);
    }
}
