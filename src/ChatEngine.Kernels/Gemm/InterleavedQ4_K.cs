using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Q4_K weights repacked 8 rows at a time, and their product with Q8_K activations, one output lane per row, bitwise
/// <see cref="Q4_KDot.Simd"/>'s results (llama.cpp's vec_dot_q4_K order).
/// </summary>
/// <remarks>
/// <para>Layout per group of 8 rows and super-block (<see cref="GroupBlockBytes"/> = 1184 bytes, 2.8% more than the
/// 8 rows' 1152 in the file): the 8 rows' d (16 bytes) and dmin (16 bytes) as F16; the 6-bit scales decoded to bytes,
/// sub-block s of row r at 32 + 8s + r; the mins in pairs, (min 2k, min 2k + 1) of row r at 96 + 16k + 2r; then the
/// quants as 32 chunks of 32 bytes: chunk 8c + j holds bytes 32c + 4j..32c + 4j + 3 of each row (row r at 4r), whose
/// low nibbles are elements 4j.. of sub-block 2c and high nibbles elements 4j.. of sub-block 2c + 1.</para>
/// <para>vec_dot_q4_K keeps, per row, 8 int32 lanes (lane j: the scaled products of elements 4j..4j+3 of every
/// sub-block) accumulated as fma(yd * d, lanes, acc) and 4 lanes of min products accumulated as
/// fma(-yd * dmin, mins, accMins), then adds the two horizontal sums. Here vector j holds lane j of all 8 rows
/// (and vector k the min lane k), so the same sums in the same order come out one row per lane.</para>
/// </remarks>
internal static unsafe class InterleavedQ4_K
{
    public const int GroupBlockBytes = 160 + 1024;
    private const int ScalesOffset = 32;
    private const int MinsOffset = 96;
    private const int QuantsOffset = 160;

    public static void Pack(in WeightMatrix w, byte* destination, int firstGroup, int endGroup)
    {
        var blocks = w.Cols / BlockLayout.QK_K;
        for (var group = firstGroup; group < endGroup; group++)
            for (var b = 0; b < blocks; b++)
            {
                var target = destination + ((long)group * blocks + b) * GroupBlockBytes;
                for (var r = 0; r < RowInterleaving.Rows; r++)
                {
                    var block = w.Data + (long)(group * RowInterleaving.Rows + r) * w.RowBytes + b * BlockLayout.Q4_KBytes;
                    Unsafe.WriteUnaligned(target + 2 * r, Unsafe.ReadUnaligned<ushort>(block));
                    Unsafe.WriteUnaligned(target + 16 + 2 * r, Unsafe.ReadUnaligned<ushort>(block + 2));
                    KQuantScales.DecodeQ4K(block + 4, out var scales, out var mins);
                    for (var s = 0; s < 8; s++)
                    {
                        target[ScalesOffset + 8 * s + r] = (byte)KQuantScales.Byte(scales, s);
                        target[MinsOffset + 16 * (s / 2) + 2 * r + s % 2] = (byte)KQuantScales.Byte(mins, s);
                    }
                    for (var chunk = 0; chunk < 32; chunk++)
                        Unsafe.WriteUnaligned(target + QuantsOffset + 32 * chunk + 4 * r,
                            Unsafe.ReadUnaligned<uint>(block + 16 + 32 * (chunk / 8) + 4 * (chunk % 8)));
                }
            }
    }

    /// <summary>y[r] = dot(row r of the group at <paramref name="w"/>, the Q8_K activation row at <paramref name="a"/>) for r &lt; 8.</summary>
    [SkipLocalsInit]
    public static void OneToken(byte* w, int blocks, byte* a, float* y)
    {
        var lanes = stackalloc Vector256<float>[8];
        for (var j = 0; j < 8; j++) lanes[j] = Vector256<float>.Zero;
        var scales = stackalloc Vector256<short>[8];
        Vector256<float> m0 = default, m1 = default, m2 = default, m3 = default;
        var mask = Vector256.Create((byte)0x0f);
        for (var b = 0; b < blocks; b++, w += GroupBlockBytes, a += BlockLayout.Q8_KBytes)
        {
            var yd = *(float*)a;
            var q = a + BlockLayout.Q8_KQuants;
            var bsums = (short*)(a + BlockLayout.Q8_KBlockSums);
            var pairs = Ssse3.HorizontalAdd(Sse2.LoadVector128(bsums), Sse2.LoadVector128(bsums + 8)).AsInt32();
            var dmin = Avx.Multiply(Vector256.Create(-yd), HalvesToSingles(w + 16));
            m0 = MinLane(Mins(w, 0), pairs.GetElement(0), dmin, m0);
            m1 = MinLane(Mins(w, 1), pairs.GetElement(1), dmin, m1);
            m2 = MinLane(Mins(w, 2), pairs.GetElement(2), dmin, m2);
            m3 = MinLane(Mins(w, 3), pairs.GetElement(3), dmin, m3);

            for (var s = 0; s < 8; s++)
            {
                var bytes = Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(w + ScalesOffset + 8 * s)).AsByte();
                scales[s] = Avx2.ConvertToVector256Int16(Sse2.UnpackLow(bytes, bytes));
            }
            var d = Avx.Multiply(Vector256.Create(yd), HalvesToSingles(w));
            for (var j = 0; j < 8; j++)
            {
                var sums = Vector256<int>.Zero;
                for (var c = 0; c < 4; c++)
                {
                    var packed = Avx.LoadVector256(w + QuantsOffset + 32 * (8 * c + j));
                    var low = Avx2.And(packed, mask);
                    var high = Avx2.And(Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(), mask);
                    sums = Avx2.Add(sums, Products(low, high, q + 64 * c + 4 * j, scales[2 * c], scales[2 * c + 1]));
                }
                lanes[j] = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(sums), lanes[j]);
            }
        }
        var scaled = Avx.Add(
            Avx.Add(Avx.Add(lanes[0], lanes[4]), Avx.Add(lanes[2], lanes[6])),
            Avx.Add(Avx.Add(lanes[1], lanes[5]), Avx.Add(lanes[3], lanes[7])));
        Avx.Store(y, Avx.Add(scaled, Avx.Add(Avx.Add(m0, m2), Avx.Add(m1, m3))));
    }

    /// <summary>
    /// <see cref="OneToken"/> for 4 tokens whose activation rows are <paramref name="activationRowBytes"/> apart, writing
    /// token t's outputs at y + t * yStride: each chunk of nibbles is split once for the 4, the scales and mins widened
    /// once; each token keeps its own lanes, in memory between super-blocks.
    /// </summary>
    [SkipLocalsInit]
    public static void FourTokens(byte* w, int blocks, byte* a, int activationRowBytes, float* y, int yStride)
    {
        const int tokens = TileKernel.TokenGroup;
        var lanes = stackalloc Vector256<float>[8 * tokens];
        var minLanes = stackalloc Vector256<float>[4 * tokens];
        for (var i = 0; i < 8 * tokens; i++) lanes[i] = Vector256<float>.Zero;
        for (var i = 0; i < 4 * tokens; i++) minLanes[i] = Vector256<float>.Zero;
        var scales = stackalloc Vector256<short>[8];
        var d = stackalloc Vector256<float>[tokens];
        var mask = Vector256.Create((byte)0x0f);
        var stride = (nint)activationRowBytes;
        for (var b = 0; b < blocks; b++, w += GroupBlockBytes, a += BlockLayout.Q8_KBytes)
        {
            for (var s = 0; s < 8; s++)
            {
                var bytes = Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(w + ScalesOffset + 8 * s)).AsByte();
                scales[s] = Avx2.ConvertToVector256Int16(Sse2.UnpackLow(bytes, bytes));
            }
            var dx = HalvesToSingles(w);
            var dminx = HalvesToSingles(w + 16);
            var mins0 = Mins(w, 0);
            var mins1 = Mins(w, 1);
            var mins2 = Mins(w, 2);
            var mins3 = Mins(w, 3);
            for (var t = 0; t < tokens; t++)
            {
                var activation = a + t * stride;
                var yd = *(float*)activation;
                var bsums = (short*)(activation + BlockLayout.Q8_KBlockSums);
                var pairs = Ssse3.HorizontalAdd(Sse2.LoadVector128(bsums), Sse2.LoadVector128(bsums + 8)).AsInt32();
                var dmin = Avx.Multiply(Vector256.Create(-yd), dminx);
                var m = minLanes + 4 * t;
                m[0] = MinLane(mins0, pairs.GetElement(0), dmin, m[0]);
                m[1] = MinLane(mins1, pairs.GetElement(1), dmin, m[1]);
                m[2] = MinLane(mins2, pairs.GetElement(2), dmin, m[2]);
                m[3] = MinLane(mins3, pairs.GetElement(3), dmin, m[3]);
                d[t] = Avx.Multiply(Vector256.Create(yd), dx);
            }
            var q = a + BlockLayout.Q8_KQuants;
            for (var j = 0; j < 8; j++)
            {
                Vector256<int> sums0 = default, sums1 = default, sums2 = default, sums3 = default;
                var chunk = w + QuantsOffset + 32 * j;
                var quants = q + 4 * j;
                Chunk(chunk, quants, stride, scales[0], scales[1], mask, ref sums0, ref sums1, ref sums2, ref sums3);
                Chunk(chunk + 256, quants + 64, stride, scales[2], scales[3], mask, ref sums0, ref sums1, ref sums2, ref sums3);
                Chunk(chunk + 512, quants + 128, stride, scales[4], scales[5], mask, ref sums0, ref sums1, ref sums2, ref sums3);
                Chunk(chunk + 768, quants + 192, stride, scales[6], scales[7], mask, ref sums0, ref sums1, ref sums2, ref sums3);
                lanes[j] = Fma.MultiplyAdd(d[0], Avx.ConvertToVector256Single(sums0), lanes[j]);
                lanes[8 + j] = Fma.MultiplyAdd(d[1], Avx.ConvertToVector256Single(sums1), lanes[8 + j]);
                lanes[16 + j] = Fma.MultiplyAdd(d[2], Avx.ConvertToVector256Single(sums2), lanes[16 + j]);
                lanes[24 + j] = Fma.MultiplyAdd(d[3], Avx.ConvertToVector256Single(sums3), lanes[24 + j]);
            }
        }
        for (var t = 0; t < tokens; t++)
        {
            var l = lanes + 8 * t;
            var m = minLanes + 4 * t;
            var scaled = Avx.Add(Avx.Add(Avx.Add(l[0], l[4]), Avx.Add(l[2], l[6])), Avx.Add(Avx.Add(l[1], l[5]), Avx.Add(l[3], l[7])));
            Avx.Store(y + t * yStride, Avx.Add(scaled, Avx.Add(Avx.Add(m[0], m[2]), Avx.Add(m[1], m[3]))));
        }
    }

    /// <summary>One chunk position of one sub-block pair for the 4 tokens: the nibbles split once, scaled products added to each token's sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunk(byte* chunk, byte* quants, nint stride, Vector256<short> lowScale, Vector256<short> highScale, Vector256<byte> mask,
        ref Vector256<int> sums0, ref Vector256<int> sums1, ref Vector256<int> sums2, ref Vector256<int> sums3)
    {
        var packed = Avx.LoadVector256(chunk);
        var low = Avx2.And(packed, mask);
        var high = Avx2.And(Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(), mask);
        sums0 = Avx2.Add(sums0, Products(low, high, quants, lowScale, highScale));
        sums1 = Avx2.Add(sums1, Products(low, high, quants + stride, lowScale, highScale));
        sums2 = Avx2.Add(sums2, Products(low, high, quants + 2 * stride, lowScale, highScale));
        sums3 = Avx2.Add(sums3, Products(low, high, quants + 3 * stride, lowScale, highScale));
    }

    /// <summary>One chunk's scaled products for one token: low nibbles with sub-block 2c's quants, high with 2c + 1's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Products(Vector256<byte> low, Vector256<byte> high, byte* quants, Vector256<short> lowScale, Vector256<short> highScale) =>
        Avx2.Add(
            Avx2.MultiplyAddAdjacent(lowScale, Avx2.MultiplyAddAdjacent(low, RowInterleaving.QuantGroup(quants))),
            Avx2.MultiplyAddAdjacent(highScale, Avx2.MultiplyAddAdjacent(high, RowInterleaving.QuantGroup(quants + 32))));

    /// <summary>
    /// accMins lane k of vec_dot for all 8 rows: acc + (-yd * dmin) * (min 2k * sum of sub-block 2k's activation quants
    /// + min 2k+1 * sum of sub-block 2k+1's), given the 8 rows' min pairs k widened and the k-th pair of sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MinLane(Vector256<short> mins, int pairSums, Vector256<float> dmin, Vector256<float> acc) =>
        Fma.MultiplyAdd(dmin, Avx.ConvertToVector256Single(Avx2.MultiplyAddAdjacent(mins, Vector256.Create(pairSums).AsInt16())), acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Mins(byte* w, int k) => Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + MinsOffset + 16 * k));
}
