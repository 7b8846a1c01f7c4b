using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Q6_K weights x Q8_K activations. In half n (128 elements, ql + 64n, qh + 32n), for l &lt; 32: element l = low
/// nibble of ql[l] | bits 0-1 of qh[l] &lt;&lt; 4, element 32 + l = low nibble of ql[32 + l] | bits 2-3, element
/// 64 + l = high nibble of ql[l] | bits 4-5, element 96 + l = high nibble of ql[32 + l] | bits 6-7; minus 32.
/// Sub-block (16 elements) s has value = d * scales[s] * q.
/// </summary>
internal static unsafe class Q6_KDot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var values = stackalloc sbyte[BlockLayout.QK_K];
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q6_KBytes, y += BlockLayout.Q8_KBytes)
        {
            for (var n = 0; n < 2; n++)
            {
                var ql = x + 64 * n;
                var qh = x + 128 + 32 * n;
                var v = values + 128 * n;
                for (var l = 0; l < 32; l++)
                {
                    v[l] = (sbyte)(((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32);
                    v[l + 32] = (sbyte)(((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32);
                    v[l + 64] = (sbyte)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                    v[l + 96] = (sbyte)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
                }
            }
            var scales = (sbyte*)(x + 192);
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var isum = 0;
            for (var sub = 0; sub < 16; sub++)
            {
                var part = 0;
                for (var l = 0; l < 16; l++) part += values[16 * sub + l] * q8[16 * sub + l];
                isum += scales[sub] * part;
            }
            sum += HalfToSingle(x + 208) * *(float*)y * isum;
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        var bias = Vector256.Create((byte)32);
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q6_KBytes, y += BlockLayout.Q8_KBytes)
        {
            var scales = (sbyte*)(x + 192);
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var sumi = Vector256<int>.Zero;
            for (var n = 0; n < 2; n++, q8 += 128)
            {
                UnpackHalf(x, n, out var q0, out var q1, out var q2, out var q3);
                sumi = Avx2.Add(sumi, Quarter(q0, q8, scales + 8 * n, bias));
                sumi = Avx2.Add(sumi, Quarter(q1, q8 + 32, scales + 8 * n + 2, bias));
                sumi = Avx2.Add(sumi, Quarter(q2, q8 + 64, scales + 8 * n + 4, bias));
                sumi = Avx2.Add(sumi, Quarter(q3, q8 + 96, scales + 8 * n + 6, bias));
            }
            acc = Fma.MultiplyAdd(Vector256.Create(HalfToSingle(x + 208) * *(float*)y), Avx.ConvertToVector256Single(sumi), acc);
        }
        return Avx2Helpers.HorizontalSum(acc);
    }

    /// <summary>Half <paramref name="n"/> of the block at <paramref name="x"/> as 4 x 32 unsigned 6-bit quants (value + 32), in element order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void UnpackHalf(byte* x, int n, out Vector256<byte> q0, out Vector256<byte> q1, out Vector256<byte> q2, out Vector256<byte> q3)
    {
        var three = Vector256.Create((byte)3);
        var low = Avx.LoadVector256(x + 64 * n);
        var high = Avx.LoadVector256(x + 64 * n + 32);
        var hbits = Avx.LoadVector256(x + 128 + 32 * n).AsUInt16();
        q0 = Avx2.Or(Avx2Helpers.LowNibbles(low), Avx2.ShiftLeftLogical(Avx2.And(hbits.AsByte(), three).AsUInt16(), 4).AsByte());
        q1 = Avx2.Or(Avx2Helpers.LowNibbles(high), Avx2.ShiftLeftLogical(Avx2.And(Avx2.ShiftRightLogical(hbits, 2).AsByte(), three).AsUInt16(), 4).AsByte());
        q2 = Avx2.Or(Avx2Helpers.HighNibbles(low), Avx2.ShiftLeftLogical(Avx2.And(Avx2.ShiftRightLogical(hbits, 4).AsByte(), three).AsUInt16(), 4).AsByte());
        q3 = Avx2.Or(Avx2Helpers.HighNibbles(high), Avx2.ShiftLeftLogical(Avx2.And(Avx2.ShiftRightLogical(hbits, 6).AsByte(), three).AsUInt16(), 4).AsByte());
    }

    /// <summary>32 unsigned 6-bit quants (value + 32) against 32 activation quants, two sub-block scales.</summary>
    private static Vector256<int> Quarter(Vector256<byte> quants, sbyte* q8, sbyte* scales, Vector256<byte> bias)
    {
        var q8v = Avx.LoadVector256(q8);
        var products = Avx2.Subtract(Avx2.MultiplyAddAdjacent(quants, q8v), Avx2.MultiplyAddAdjacent(bias, q8v));
        return Avx2.MultiplyAddAdjacent(Avx2Helpers.Scales16(scales[0], scales[1]), products);
    }

    /// <summary>
    /// 64 quants per step in 512-bit vectors: the lower half holds the quarter <see cref="Simd"/> computes first, the
    /// upper half the next, so adding the halves gives its 8 integer lanes exactly, and the float step is its: bitwise
    /// <see cref="Simd"/>.
    /// </summary>
    public static float Avx512(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        var lowNibble = Vector512.Create((byte)0x0f);
        var highBits = Vector512.Create((byte)0x30);
        var bias = Vector512.Create((byte)32);
        // qh bit pairs 0-1 and 2-3 (first chunk of a half) and 4-5 and 6-7 (second) moved to bits 4-5.
        var firstShifts = Vector512.Create(Vector256.Create((ushort)4), Vector256.Create((ushort)2));
        var secondShifts = Vector512.Create(Vector256<ushort>.Zero, Vector256.Create((ushort)2));
        // Chunk c covers sub-blocks 4c..4c+3, one per 128-bit lane of 8 int16 lanes.
        var scaleIndex = Vector512.ShiftRightLogical(Vector512<short>.Indices, 3);
        var scaleIndex1 = scaleIndex + Vector512.Create((short)4);
        var scaleIndex2 = scaleIndex + Vector512.Create((short)8);
        var scaleIndex3 = scaleIndex + Vector512.Create((short)12);
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.Q6_KBytes, y += BlockLayout.Q8_KBytes)
        {
            var scales = Avx2.ConvertToVector256Int16(Sse2.LoadVector128((sbyte*)(x + 192))).ToVector512Unsafe();
            var q8 = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var sumi = Vector512<int>.Zero;
            for (var n = 0; n < 2; n++, q8 += 128)
            {
                var ql = Vector512.Load(x + 64 * n);
                var qh = Vector512.Create(Avx.LoadVector256(x + 128 + 32 * n)).AsUInt16();
                var first = (ql & lowNibble) | (Avx512BW.ShiftLeftLogicalVariable(qh, firstShifts).AsByte() & highBits);
                var second = (Vector512.ShiftRightLogical(ql.AsUInt16(), 4).AsByte() & lowNibble)
                    | (Avx512BW.ShiftRightLogicalVariable(qh, secondShifts).AsByte() & highBits);
                sumi += Chunk(first, q8, Avx512BW.PermuteVar32x16(scales, n == 0 ? scaleIndex : scaleIndex2), bias);
                sumi += Chunk(second, q8 + 64, Avx512BW.PermuteVar32x16(scales, n == 0 ? scaleIndex1 : scaleIndex3), bias);
            }
            var lanes = Avx2.Add(sumi.GetLower(), sumi.GetUpper());
            acc = Fma.MultiplyAdd(Vector256.Create(HalfToSingle(x + 208) * *(float*)y), Avx.ConvertToVector256Single(lanes), acc);
        }
        return Avx2Helpers.HorizontalSum(acc);
    }

    /// <summary>64 unsigned 6-bit quants (value + 32) against 64 activation quants, four sub-block scales.</summary>
    private static Vector512<int> Chunk(Vector512<byte> quants, sbyte* q8, Vector512<short> scales, Vector512<byte> bias)
    {
        var q8v = Vector512.Load(q8);
        var products = Avx512BW.MultiplyAddAdjacent(quants, q8v) - Avx512BW.MultiplyAddAdjacent(bias, q8v);
        return Avx512BW.MultiplyAddAdjacent(scales, products);
    }
}
