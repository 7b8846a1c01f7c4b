using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// AVX2 versions of <see cref="ActivationQuantizer"/>, bitwise equal to it: the block maximum is exact in any order,
/// the scale is computed by the same scalar expression, and each quant is the same product rounded half to even.
/// </summary>
internal static unsafe class SimdActivationQuantizer
{
    public static void QuantizeQ8_0(float* x, byte* y, int count)
    {
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.QK, y += BlockLayout.Q8_0Bytes)
        {
            var (v0, v1, v2, v3) = (Avx.LoadVector256(x), Avx.LoadVector256(x + 8), Avx.LoadVector256(x + 16), Avx.LoadVector256(x + 24));
            var amax = MaxMagnitude(v0, v1, v2, v3);
            var id = Vector256.Create(amax != 0f ? 127f / amax : 0f);
            var (q0, q1, q2, q3) = (Round(v0, id), Round(v1, id), Round(v2, id), Round(v3, id));
            Avx.Store((sbyte*)(y + 2), PackInOrder(q0, q1, q2, q3));
            Unsafe.WriteUnaligned(y, (Half)(amax / 127f));
        }
    }

    public static void QuantizeQ8_K(float* x, byte* y, int count)
    {
        var q = stackalloc Vector256<int>[8];
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.QK_K, y += BlockLayout.Q8_KBytes)
        {
            var amax = 0f;
            for (var j = 0; j < BlockLayout.QK_K; j += 32)
                amax = MathF.Max(amax, MaxMagnitude(Avx.LoadVector256(x + j), Avx.LoadVector256(x + j + 8), Avx.LoadVector256(x + j + 16), Avx.LoadVector256(x + j + 24)));
            if (amax == 0f)
            {
                new Span<byte>(y, BlockLayout.Q8_KBytes).Clear();
                continue;
            }
            // The reference takes the first element of largest magnitude, with its sign.
            var first = 0;
            while (MathF.Abs(x[first]) != amax) first++;
            var iscale = -127f / x[first];
            var scale = Vector256.Create(iscale);
            var qs = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var bsums = (short*)(y + BlockLayout.Q8_KBlockSums);
            for (var j = 0; j < BlockLayout.QK_K; j += 64)
            {
                for (var k = 0; k < 8; k++) q[k] = Avx2.Min(Round(Avx.LoadVector256(x + j + 8 * k), scale), Vector256.Create(127));
                Avx.Store(qs + j, PackInOrder(q[0], q[1], q[2], q[3]));
                Avx.Store(qs + j + 32, PackInOrder(q[4], q[5], q[6], q[7]));
                // Lane k of pair p holds x[16p + k] + x[16p + 8 + k]; two rounds of pairwise adds and a fold of the
                // 128-bit halves leave the 4 sums of 16 in order.
                var sums = Avx2.HorizontalAdd(Avx2.HorizontalAdd(Avx2.Add(q[0], q[1]), Avx2.Add(q[2], q[3])),
                    Avx2.HorizontalAdd(Avx2.Add(q[4], q[5]), Avx2.Add(q[6], q[7])));
                var folded = Sse2.Add(sums.GetLower(), sums.GetUpper());
                Unsafe.WriteUnaligned(bsums + j / 16, Sse2.PackSignedSaturate(folded, folded).AsUInt64().ToScalar());
            }
            Unsafe.WriteUnaligned(y, 1f / iscale);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxMagnitude(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3)
    {
        var magnitude = Vector256.Create(0x7fffffff).AsSingle();
        var m = Avx.Max(Avx.Max(Avx.And(v0, magnitude), Avx.And(v1, magnitude)), Avx.Max(Avx.And(v2, magnitude), Avx.And(v3, magnitude)));
        var m4 = Sse.Max(m.GetLower(), m.GetUpper());
        m4 = Sse.Max(m4, Sse.MoveHighToLow(m4, m4));
        return Sse.MaxScalar(m4, Sse.Shuffle(m4, m4, 0b01)).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Round(Vector256<float> v, Vector256<float> scale) =>
        Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(Avx.Multiply(v, scale)));

    /// <summary>32 int32 quants (in [-128, 127]) as bytes in their original order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> PackInOrder(Vector256<int> q0, Vector256<int> q1, Vector256<int> q2, Vector256<int> q3)
    {
        // The packs work within 128-bit halves: the result holds 4-byte groups in the order q0 q1 q2 q3 (low halves)
        // then q0 q1 q2 q3 (high halves); the permute restores q0 q0 q1 q1 ...
        var packed = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(q0, q1), Avx2.PackSignedSaturate(q2, q3));
        return Avx2.PermuteVar8x32(packed.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
    }
}
