using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Q2_K weights x Q8_K activations. Element 128n + 32j + 16h + l is bit pair j of qs[32n + 16h + l]; its sub-block
/// 8n + 2j + h has value = d * (scale &amp; 15) * q - dmin * (scale &gt;&gt; 4).
/// </summary>
internal static unsafe class Q2_KDot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q2_KBytes, y += BlockLayout.Q8_KBytes)
        {
            var scales = x;
            var qs = x + 16;
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var bsums = (short*)(y + BlockLayout.Q8_KBlockSums);
            var minSum = 0;
            for (var j = 0; j < 16; j++) minSum += bsums[j] * (scales[j] >> 4);
            var isum = 0;
            for (var sub = 0; sub < 16; sub++)
            {
                int n = sub / 8, j = sub % 8 / 2, h = sub % 2;
                var part = 0;
                for (var l = 0; l < 16; l++) part += q8[16 * sub + l] * ((qs[32 * n + 16 * h + l] >> (2 * j)) & 3);
                isum += (scales[sub] & 0x0f) * part;
            }
            var yd = *(float*)y;
            sum += yd * HalfToSingle(x + 80) * isum - yd * HalfToSingle(x + 82) * minSum;
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        var three = Vector256.Create((byte)3);
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q2_KBytes, y += BlockLayout.Q8_KBytes)
        {
            var scales = x;
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var yd = *(float*)y;

            var packedScales = Sse2.LoadVector128(scales);
            var minValues = Avx2.ConvertToVector256Int16(Sse2.And(Sse2.ShiftRightLogical(packedScales.AsUInt16(), 4).AsByte(), Vector128.Create((byte)0x0f)));
            var bsums = Avx.LoadVector256((short*)(y + BlockLayout.Q8_KBlockSums));
            var minProducts = Avx.ConvertToVector256Single(Avx2.MultiplyAddAdjacent(minValues, bsums));
            acc = Fma.MultiplyAdd(Vector256.Create(-yd * HalfToSingle(x + 82)), minProducts, acc);

            var sumi = Vector256<int>.Zero;
            for (var n = 0; n < 2; n++)
            {
                var bits = Avx.LoadVector256(x + 16 + 32 * n);
                for (var j = 0; j < 4; j++, q8 += 32)
                {
                    var q2 = Avx2.And(bits, three);
                    bits = Avx2.ShiftRightLogical(bits.AsUInt16(), 2).AsByte();
                    var products = Avx2.MultiplyAddAdjacent(q2, Avx.LoadVector256(q8));
                    var sub = 8 * n + 2 * j;
                    sumi = Avx2.Add(sumi, Avx2.MultiplyAddAdjacent(Avx2Helpers.Scales16(scales[sub] & 0x0f, scales[sub + 1] & 0x0f), products));
                }
            }
            acc = Fma.MultiplyAdd(Vector256.Create(yd * HalfToSingle(x + 80)), Avx.ConvertToVector256Single(sumi), acc);
        }
        return Avx2Helpers.HorizontalSum(acc);
    }
}
