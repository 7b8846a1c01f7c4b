using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Q4_0 weights x Q8_0 activations, 8 rows of one token at a time. Per output the arithmetic is
/// <see cref="Q4_0Dot.Simd"/>'s: for each block, acc = fma(exact integer sum of the 32 products, dx * dy, acc), one
/// float lane per row. (A 4-token form that decodes each block once measured slower than 4 one-token calls on an AMD
/// EPYC: the 8 rows' blocks stay in L1 from one token to the next anyway.)
/// </summary>
/// <remarks>
/// Two rows' blocks share one register (row a in the low 128 bits, row b in the high), so their low nibbles meet the
/// activations' first 16 quants and their high nibbles the last 16 in two vpmaddubsw. The unsigned nibbles n give
/// sum(n * y); subtracting 8 * (the pair sums of y) in 16-bit lanes gives sum((n - 8) * y) exactly. Three rounds of
/// pairwise 16-bit adds (|partial sums| &lt;= 16 * 8 * 127) and one 16-to-32-bit pair add reduce 8 rows to one vector,
/// in the row order 0, 2, 4, 6, 1, 3, 5, 7; the scales are gathered and the results stored in that order.
/// </remarks>
internal static unsafe class Q4_0Tile
{
    public const int Rows = 8;

    public static void OneToken(byte* w, int rowBytes, byte* a, int activationRowBytes, float* y, int yStride, int cols)
    {
        var scaleOffsets = ScaleOffsets(rowBytes);
        var acc = Vector256<float>.Zero;
        for (var block = 0; block < cols / BlockLayout.QK; block++, w += BlockLayout.Q4_0Bytes, a += BlockLayout.Q8_0Bytes)
        {
            var dx = Scales(w, scaleOffsets);
            Decode(w, rowBytes, out var l01, out var h01, out var l23, out var h23, out var l45, out var h45, out var l67, out var h67);
            acc = Accumulate(a, dx, acc, l01, h01, l23, h23, l45, h45, l67, h67);
        }
        Store(acc, y);
    }

    /// <summary>Byte offsets of the rows held by the lanes of the reduced sums: rows 0, 2, 4, 6, 1, 3, 5, 7.</summary>
    private static Vector256<int> ScaleOffsets(int rowBytes) => Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7) * rowBytes;

    /// <summary>The 8 rows' block scales as floats, in lane order (the gather reads d and the first two quant bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Scales(byte* w, Vector256<int> offsets) => HalvesToSingles(Avx2.GatherVector256((int*)w, offsets, 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Decode(byte* w, int rowBytes,
        out Vector256<byte> l01, out Vector256<byte> h01, out Vector256<byte> l23, out Vector256<byte> h23,
        out Vector256<byte> l45, out Vector256<byte> h45, out Vector256<byte> l67, out Vector256<byte> h67)
    {
        var q = w + 2;
        DecodePair(q, q + rowBytes, out l01, out h01);
        q += 2 * rowBytes;
        DecodePair(q, q + rowBytes, out l23, out h23);
        q += 2 * rowBytes;
        DecodePair(q, q + rowBytes, out l45, out h45);
        q += 2 * rowBytes;
        DecodePair(q, q + rowBytes, out l67, out h67);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodePair(byte* rowA, byte* rowB, out Vector256<byte> low, out Vector256<byte> high)
    {
        var packed = Vector256.Create(Sse2.LoadVector128(rowA), Sse2.LoadVector128(rowB));
        low = Avx2Helpers.LowNibbles(packed);
        high = Avx2Helpers.HighNibbles(packed);
    }

    /// <summary>acc + (exact block sums of the 8 rows) * dx * dy for the token whose block is at <paramref name="a"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Accumulate(byte* a, Vector256<float> dx, Vector256<float> acc,
        Vector256<byte> l01, Vector256<byte> h01, Vector256<byte> l23, Vector256<byte> h23,
        Vector256<byte> l45, Vector256<byte> h45, Vector256<byte> l67, Vector256<byte> h67)
    {
        var first = Avx2.BroadcastVector128ToVector256((sbyte*)(a + 2));
        var last = Avx2.BroadcastVector128ToVector256((sbyte*)(a + 18));
        var eights = Vector256.Create((byte)8);
        var offset = Avx2.Add(Avx2.MultiplyAddAdjacent(eights, first), Avx2.MultiplyAddAdjacent(eights, last));
        var p01 = PairProducts(l01, h01, first, last, offset);
        var p23 = PairProducts(l23, h23, first, last, offset);
        var p45 = PairProducts(l45, h45, first, last, offset);
        var p67 = PairProducts(l67, h67, first, last, offset);
        var sums16 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(p01, p23), Avx2.HorizontalAdd(p45, p67));
        var sums = Avx2.MultiplyAddAdjacent(sums16, Vector256.Create((short)1));
        var d = Avx.Multiply(dx, Vector256.Create(HalfToSingle(a)));
        return Fma.MultiplyAdd(Avx.ConvertToVector256Single(sums), d, acc);
    }

    /// <summary>Per 16-bit lane, two elements' (n - 8) * y of row a (low 128 bits) and row b (high) summed with the
    /// matching two of the block's other half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> PairProducts(Vector256<byte> low, Vector256<byte> high, Vector256<sbyte> first,
        Vector256<sbyte> last, Vector256<short> offset) =>
        Avx2.Subtract(Avx2.Add(Avx2.MultiplyAddAdjacent(low, first), Avx2.MultiplyAddAdjacent(high, last)), offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> acc, float* y) => Avx.Store(y, Avx2.PermuteVar8x32(acc, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)));
}
