using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Q3_K weights x Q8_K activations. Element 128n + 32j + 16h + l: low bits = bit pair j of qs[32n + 16h + l], and
/// 4 is subtracted unless bit 4n + j of hmask[16h + l] is set; sub-block 8n + 2j + h, value = d * (scale - 32) * q.
/// </summary>
internal static unsafe class Q3_KDot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var scales = stackalloc sbyte[16];
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q3_KBytes, y += BlockLayout.Q8_KBytes)
        {
            var hmask = x;
            var qs = x + 32;
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            KQuantScales.DecodeQ3K(x + 96, scales);
            var isum = 0;
            for (var sub = 0; sub < 16; sub++)
            {
                int n = sub / 8, j = sub % 8 / 2, h = sub % 2;
                var part = 0;
                for (var l = 0; l < 16; l++)
                {
                    var low = (qs[32 * n + 16 * h + l] >> (2 * j)) & 3;
                    var high = (hmask[16 * h + l] >> (4 * n + j)) & 1;
                    part += q8[16 * sub + l] * (low - (high != 0 ? 0 : 4));
                }
                isum += scales[sub] * part;
            }
            sum += HalfToSingle(x + 108) * *(float*)y * isum;
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var scales = stackalloc sbyte[16];
        var acc = Vector256<float>.Zero;
        var three = Vector256.Create((byte)3);
        var one = Vector256.Create((byte)1);
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q3_KBytes, y += BlockLayout.Q8_KBytes)
        {
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            KQuantScales.DecodeQ3K(x + 96, scales);
            var hbits = Avx.LoadVector256(x);
            var sumi = Vector256<int>.Zero;
            for (var n = 0; n < 2; n++)
            {
                var bits = Avx.LoadVector256(x + 32 + 32 * n);
                for (var j = 0; j < 4; j++, q8 += 32)
                {
                    var q2 = Avx2.And(bits, three);
                    bits = Avx2.ShiftRightLogical(bits.AsUInt16(), 2).AsByte();
                    // 4 where the high bit is clear, 0 where it is set.
                    var minus4 = Avx2.ShiftLeftLogical(Avx2.AndNot(hbits, one).AsUInt16(), 2).AsByte();
                    hbits = Avx2.ShiftRightLogical(hbits.AsUInt16(), 1).AsByte();
                    var q8v = Avx.LoadVector256(q8);
                    var products = Avx2.Subtract(Avx2.MultiplyAddAdjacent(q2, q8v), Avx2.MultiplyAddAdjacent(minus4, q8v));
                    var sub = 8 * n + 2 * j;
                    sumi = Avx2.Add(sumi, Avx2.MultiplyAddAdjacent(Avx2Helpers.Scales16(scales[sub], scales[sub + 1]), products));
                }
            }
            acc = Fma.MultiplyAdd(Vector256.Create(HalfToSingle(x + 108) * *(float*)y), Avx.ConvertToVector256Single(sumi), acc);
        }
        return Avx2Helpers.HorizontalSum(acc);
    }
}
