using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;
using static ChatEngine.Kernels.Gemm.RowInterleaving;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Matrix products of Q8_0 weights in <see cref="RowInterleaving"/>'s layout with Q8_0 activations, one output lane
/// per row, for one token or four, bitwise <see cref="Q8_0Dot.Simd"/>'s results (llama.cpp's vec_dot_q8_0 order).
/// </summary>
/// <remarks>
/// vec_dot_q8_0 keeps 8 float accumulators per row, lane j summing fma(dx * dy, products 4j..4j+3 of each block),
/// and adds them up at the end as ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)). In the interleaved layout chunk j
/// holds exactly those 4 quants of each row, so accumulator vector A_j (one lane per row) is vec_dot's lane j of all 8
/// rows at once, and the same sum of the A_j finishes. vpmaddubsw wants one unsigned operand: |w| times q with w's sign
/// moved onto q; each chunk's 16-bit pairs (up to 2 x 127^2) are widened to 32 bits.
/// </remarks>
internal static unsafe class InterleavedQ8_0
{
    private const int GroupBlockBytes = RowInterleaving.Rows * BlockLayout.Q8_0Bytes;
    private const int Chunks = BlockLayout.QK / 4;

    /// <summary>Blocks per span of <see cref="FourTokens"/>: 16 x (8 rows' 272 bytes + 4 tokens' 34 bytes + 4 scales of 32 bytes) = 8.5 KiB.</summary>
    private const int SpanBlocks = 16;

    /// <summary>y[r] = dot(row r of the group at <paramref name="w"/>, the activation row at <paramref name="a"/>) for r &lt; 8.</summary>
    public static void OneToken(byte* w, int blocks, byte* a, int* sums, float* y)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (var b = 0; b < blocks; b++, w += GroupBlockBytes, a += BlockLayout.Q8_0Bytes, sums += SumsPerBlock)
        {
            var d = Avx.Multiply(HalvesToSingles(w), Avx.BroadcastScalarToVector256((float*)sums));
            var q = a + 2;
            a0 = Accumulate(w, q, 0, d, a0);
            a1 = Accumulate(w, q, 1, d, a1);
            a2 = Accumulate(w, q, 2, d, a2);
            a3 = Accumulate(w, q, 3, d, a3);
            a4 = Accumulate(w, q, 4, d, a4);
            a5 = Accumulate(w, q, 5, d, a5);
            a6 = Accumulate(w, q, 6, d, a6);
            a7 = Accumulate(w, q, 7, d, a7);
        }
        Avx.Store(y, Sum(a0, a1, a2, a3, a4, a5, a6, a7));
    }

    /// <summary>
    /// <see cref="OneToken"/> for 4 tokens whose activation rows are <paramref name="activationRowBytes"/> apart and
    /// whose sums are <paramref name="sumsStride"/> ints apart, writing token t's outputs at y + t * yStride. With 8
    /// accumulators per token there are too many for the registers, so it works through spans of
    /// <see cref="SpanBlocks"/> blocks (weights, activations and the scales dx * dy of a span stay in L1), taking one
    /// chunk position across the span at a time and keeping the accumulators in memory between spans.
    /// </summary>
    [SkipLocalsInit]
    public static void FourTokens(byte* w, int blocks, byte* a, int activationRowBytes, int* sums, int sumsStride, float* y, int yStride)
    {
        const int tokens = TileKernel.TokenGroup;
        var lanes = stackalloc Vector256<float>[Chunks * tokens];
        for (var i = 0; i < Chunks * tokens; i++) lanes[i] = Vector256<float>.Zero;
        var scales = stackalloc Vector256<float>[SpanBlocks * tokens];
        // Native-int offsets of tokens 1-3, so the inner loop addresses their quants without re-extending an int each time.
        var stride1 = (nint)activationRowBytes;
        var stride2 = 2 * stride1;
        var stride3 = 3 * stride1;
        for (var first = 0; first < blocks; first += SpanBlocks)
        {
            var count = Math.Min(SpanBlocks, blocks - first);
            var span = w + first * GroupBlockBytes;
            for (var b = 0; b < count; b++)
            {
                var dx = HalvesToSingles(span + b * GroupBlockBytes);
                for (var t = 0; t < tokens; t++)
                    scales[b * tokens + t] = Avx.Multiply(dx, Avx.BroadcastScalarToVector256((float*)(sums + t * sumsStride + (first + b) * SumsPerBlock)));
            }
            for (var j = 0; j < Chunks; j++)
            {
                var acc0 = lanes[j];
                var acc1 = lanes[Chunks + j];
                var acc2 = lanes[2 * Chunks + j];
                var acc3 = lanes[3 * Chunks + j];
                var chunk = span + 16 + 32 * j;
                var q = a + first * BlockLayout.Q8_0Bytes + 2 + 4 * j;
                var scale = (float*)scales;
                for (var b = 0; b < count; b++, chunk += GroupBlockBytes, q += BlockLayout.Q8_0Bytes, scale += 8 * tokens)
                {
                    var weights = Avx.LoadVector256((sbyte*)chunk);
                    var magnitudes = Avx2.Abs(weights);
                    acc0 = Fma.MultiplyAdd(Products(magnitudes, weights, q), Avx.LoadVector256(scale), acc0);
                    acc1 = Fma.MultiplyAdd(Products(magnitudes, weights, q + stride1), Avx.LoadVector256(scale + 8), acc1);
                    acc2 = Fma.MultiplyAdd(Products(magnitudes, weights, q + stride2), Avx.LoadVector256(scale + 16), acc2);
                    acc3 = Fma.MultiplyAdd(Products(magnitudes, weights, q + stride3), Avx.LoadVector256(scale + 24), acc3);
                }
                lanes[j] = acc0;
                lanes[Chunks + j] = acc1;
                lanes[2 * Chunks + j] = acc2;
                lanes[3 * Chunks + j] = acc3;
            }
        }
        for (var t = 0; t < tokens; t++) Avx.Store(y + t * yStride, Sum(lanes + t * Chunks));
    }

    /// <summary>acc + d * (chunk <paramref name="j"/>'s products), vec_dot's lane j for all 8 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Accumulate(byte* w, byte* q, int j, Vector256<float> d, Vector256<float> acc)
    {
        var weights = Avx.LoadVector256((sbyte*)(w + 16 + 32 * j));
        return Fma.MultiplyAdd(d, Products(Avx2.Abs(weights), weights, q + 4 * j), acc);
    }

    /// <summary>Per row lane, the 4 products of one chunk's weights with the activation quants at <paramref name="q"/>, as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Products(Vector256<byte> magnitudes, Vector256<sbyte> weights, byte* q) =>
        Avx.ConvertToVector256Single(Avx2Helpers.SumPairs(Avx2.MultiplyAddAdjacent(magnitudes, Avx2.Sign(QuantGroup(q), weights))));

    /// <summary>vec_dot's final sum of its 8 lanes, ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)), for all 8 rows.</summary>
    private static Vector256<float> Sum(Vector256<float>* l) => Sum(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]);

    private static Vector256<float> Sum(Vector256<float> l0, Vector256<float> l1, Vector256<float> l2, Vector256<float> l3,
        Vector256<float> l4, Vector256<float> l5, Vector256<float> l6, Vector256<float> l7) =>
        Avx.Add(Avx.Add(Avx.Add(l0, l4), Avx.Add(l2, l6)), Avx.Add(Avx.Add(l1, l5), Avx.Add(l3, l7)));
}
