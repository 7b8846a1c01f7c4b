using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Q5_K weights x Q8_K activations: like Q4_K, plus a 5th bit: bit 2c of qh[l] for element 64c + l and bit 2c + 1
/// for element 64c + 32 + l.
/// </summary>
internal static unsafe class Q5_KDot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q5_KBytes, y += BlockLayout.Q8_KBytes)
        {
            KQuantScales.DecodeQ4K(x + 4, out var scales, out var mins);
            var qh = x + 16;
            var qs = x + 48;
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var bsums = (short*)(y + BlockLayout.Q8_KBlockSums);
            var minSum = 0;
            for (var j = 0; j < 16; j++) minSum += bsums[j] * KQuantScales.Byte(mins, j / 2);
            var isum = 0;
            for (var c = 0; c < 4; c++)
            {
                int low = 0, high = 0;
                for (var l = 0; l < 32; l++)
                {
                    low += ((qs[32 * c + l] & 0x0f) | (((qh[l] >> (2 * c)) & 1) << 4)) * q8[64 * c + l];
                    high += ((qs[32 * c + l] >> 4) | (((qh[l] >> (2 * c + 1)) & 1) << 4)) * q8[64 * c + 32 + l];
                }
                isum += KQuantScales.Byte(scales, 2 * c) * low + KQuantScales.Byte(scales, 2 * c + 1) * high;
            }
            var yd = *(float*)y;
            sum += HalfToSingle(x) * yd * isum - HalfToSingle(x + 2) * yd * minSum;
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        var mins = 0f;
        var one = Vector256.Create((byte)1);
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q5_KBytes, y += BlockLayout.Q8_KBytes)
        {
            KQuantScales.DecodeQ4K(x + 4, out var scales, out var packedMins);
            var yd = *(float*)y;
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            mins += HalfToSingle(x + 2) * yd * Q4_KDot.MinSum(packedMins, (short*)(y + BlockLayout.Q8_KBlockSums));

            var hbits = Avx.LoadVector256(x + 16);
            var sumi = Vector256<int>.Zero;
            var qs = x + 48;
            for (var c = 0; c < 4; c++, qs += 32, q8 += 64)
            {
                var bits = Avx.LoadVector256(qs);
                var lowHigh = Avx2.ShiftLeftLogical(Avx2.And(hbits, one).AsUInt16(), 4).AsByte();
                hbits = Avx2.ShiftRightLogical(hbits.AsUInt16(), 1).AsByte();
                var highHigh = Avx2.ShiftLeftLogical(Avx2.And(hbits, one).AsUInt16(), 4).AsByte();
                hbits = Avx2.ShiftRightLogical(hbits.AsUInt16(), 1).AsByte();
                var low = Avx2.MultiplyAddAdjacent(Avx2.Or(Avx2Helpers.LowNibbles(bits), lowHigh), Avx.LoadVector256(q8));
                var high = Avx2.MultiplyAddAdjacent(Avx2.Or(Avx2Helpers.HighNibbles(bits), highHigh), Avx.LoadVector256(q8 + 32));
                sumi = Avx2.Add(sumi, Avx2.MultiplyAddAdjacent(Vector256.Create((short)KQuantScales.Byte(scales, 2 * c)), low));
                sumi = Avx2.Add(sumi, Avx2.MultiplyAddAdjacent(Vector256.Create((short)KQuantScales.Byte(scales, 2 * c + 1)), high));
            }
            acc = Fma.MultiplyAdd(Vector256.Create(HalfToSingle(x) * yd), Avx.ConvertToVector256Single(sumi), acc);
        }
        return Avx2Helpers.HorizontalSum(acc) - mins;
    }
}
