using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Q4_K weights x Q8_K activations. Element 64c + l (l &lt; 32) is the low nibble of qs[32c + l], element 64c + 32 + l
/// its high nibble; sub-block (32 elements) s has value = d * scale[s] * q - dmin * min[s].
/// The SIMD path follows ggml's AVX2 kernel: the min terms accumulate in 4 float lanes (one per pair of sub-blocks)
/// with fma(-dy * dmin, ...), reduced once at the end and added to the 8-lane sum of the scaled quants.
/// </summary>
internal static unsafe class Q4_KDot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q4_KBytes, y += BlockLayout.Q8_KBytes)
        {
            KQuantScales.DecodeQ4K(x + 4, out var scales, out var mins);
            var qs = x + 16;
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
                    low += (qs[32 * c + l] & 0x0f) * q8[64 * c + l];
                    high += (qs[32 * c + l] >> 4) * q8[64 * c + 32 + l];
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
        var accMins = Vector128<float>.Zero;
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q4_KBytes, y += BlockLayout.Q8_KBytes)
        {
            KQuantScales.DecodeQ4K(x + 4, out var scales, out var packedMins);
            var yd = *(float*)y;
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var minProducts = MinProducts(packedMins, (short*)(y + BlockLayout.Q8_KBlockSums));
            accMins = Fma.MultiplyAdd(Vector128.Create(-yd * HalfToSingle(x + 2)), Sse2.ConvertToVector128Single(minProducts), accMins);

            var scaleBytes = KQuantScales.ScaleBytes(scales);
            var qs = x + 16;
            var sumi = SubBlockPair(qs, q8, scaleBytes, 0);
            sumi = Avx2.Add(sumi, SubBlockPair(qs + 32, q8 + 64, scaleBytes, 1));
            sumi = Avx2.Add(sumi, SubBlockPair(qs + 64, q8 + 128, scaleBytes, 2));
            sumi = Avx2.Add(sumi, SubBlockPair(qs + 96, q8 + 192, scaleBytes, 3));
            acc = Fma.MultiplyAdd(Vector256.Create(yd * HalfToSingle(x)), Avx.ConvertToVector256Single(sumi), acc);
        }
        return Avx2Helpers.HorizontalSum(acc) + Avx2Helpers.HorizontalSum(accMins);
    }

    /// <summary>
    /// Sub-blocks 2c (low nibbles of the 32 bytes at <paramref name="qs"/>) and 2c + 1 (high nibbles) times their
    /// activation quants and scales, in 8 int32 lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SubBlockPair(byte* qs, sbyte* q8, Vector256<byte> scaleBytes, [ConstantExpected] int c)
    {
        var bits = Avx.LoadVector256(qs);
        var low = Avx2.MultiplyAddAdjacent(Avx2Helpers.LowNibbles(bits), Avx.LoadVector256(q8));
        var high = Avx2.MultiplyAddAdjacent(Avx2Helpers.HighNibbles(bits), Avx.LoadVector256(q8 + 32));
        return Avx2.Add(
            Avx2.MultiplyAddAdjacent(KQuantScales.InAllLanes(scaleBytes, 2 * c), low),
            Avx2.MultiplyAddAdjacent(KQuantScales.InAllLanes(scaleBytes, 2 * c + 1), high));
    }

    /// <summary>
    /// min[2k] * (activation quant sum of sub-block 2k) + min[2k + 1] * (... of 2k + 1) in lane k, from Q8_K's 16 bsums.
    /// </summary>
    internal static Vector128<int> MinProducts(ulong packedMins, short* bsums)
    {
        var minValues = Sse41.ConvertToVector128Int16(Vector128.CreateScalar(packedMins).AsByte());
        var pairSums = Ssse3.HorizontalAdd(Sse2.LoadVector128(bsums), Sse2.LoadVector128(bsums + 8));
        return Sse2.MultiplyAddAdjacent(minValues, pairSums);
    }

    /// <summary>sum over the 8 sub-blocks of min[s] * (sum of its 32 activation quants), from Q8_K's 16 bsums.</summary>
    internal static int MinSum(ulong packedMins, short* bsums) => Avx2Helpers.HorizontalSum(MinProducts(packedMins, bsums));
}
