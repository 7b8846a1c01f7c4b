using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;
using static ChatEngine.Kernels.Gemm.RowInterleaving;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Matrix products of Q4_0 weights in <see cref="RowInterleaving"/>'s layout with Q8_0 activations, one output lane
/// per row, for one token or four.
/// </summary>
/// <remarks>
/// A quant byte holds element m in its low nibble and element m + 16 in its high nibble, so the low nibbles of chunk j
/// meet activation elements 4j..4j+3 and the high nibbles 16+4j..16+4j+3. vpmaddubsw multiplies the unsigned nibbles n
/// with the activations q; each row's 8 products are summed in 16-bit lanes (|sum| &lt;= 16 x 15 x 127 &lt; 2^15); then
/// sum((n - 8) q) = sum(n q) - 8 sum(q) exactly, with 8 sum(q) prepared once per activation block. Each output gets
/// acc = fma(block sum, dx * dy, acc) per block: bitwise <see cref="Q4_0Dot.Simd"/>'s result.
/// </remarks>
internal static unsafe class InterleavedQ4_0
{
    private const int GroupBlockBytes = RowInterleaving.Rows * BlockLayout.Q4_0Bytes;
    private const int SumsPerBlock = RowInterleaving.SumsPerBlock;

    /// <summary>y[r] = dot(row r of the group at <paramref name="w"/>, the activation row at <paramref name="a"/>) for r &lt; 8.</summary>
    public static void OneToken(byte* w, int blocks, byte* a, int* sums, float* y)
    {
        var mask = Vector256.Create((byte)0x0f);
        var acc = Vector256<float>.Zero;
        for (var b = 0; b < blocks; b++, w += GroupBlockBytes, a += BlockLayout.Q8_0Bytes, sums += SumsPerBlock)
        {
            var q = a + 2;
            var products = Vector256<short>.Zero;
            for (var j = 0; j < 4; j++)
            {
                var packed = Avx.LoadVector256(w + 16 + 32 * j);
                var low = Avx2.And(packed, mask);
                var high = Avx2.And(Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(), mask);
                products = Avx2.Add(products, Avx2.Add(
                    Avx2.MultiplyAddAdjacent(low, QuantGroup(q + 4 * j)),
                    Avx2.MultiplyAddAdjacent(high, QuantGroup(q + 16 + 4 * j))));
            }
            acc = Accumulate(products, HalvesToSingles(w), sums, acc);
        }
        Avx.Store(y, acc);
    }

    /// <summary>
    /// <see cref="OneToken"/> for 4 tokens whose activation rows are <paramref name="activationRowBytes"/> apart and
    /// whose sums are <paramref name="sumsStride"/> ints apart, writing token t's outputs at y + t * yStride; each weight
    /// chunk is loaded and split into nibbles once for the 4.
    /// </summary>
    public static void FourTokens(byte* w, int blocks, byte* a, int activationRowBytes, int* sums, int sumsStride, float* y, int yStride)
    {
        var mask = Vector256.Create((byte)0x0f);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        // Native-int offsets of tokens 1-3, so the loops address their quants and sums without re-extending an int each time.
        var stride1 = (nint)activationRowBytes;
        var stride2 = 2 * stride1;
        var stride3 = 3 * stride1;
        var sums1 = (nint)sumsStride;
        for (var b = 0; b < blocks; b++, w += GroupBlockBytes, a += BlockLayout.Q8_0Bytes, sums += SumsPerBlock)
        {
            Vector256<short> p0 = default, p1 = default, p2 = default, p3 = default;
            var chunk = w + 16;
            var q = a + 2;
            for (var j = 0; j < 4; j++, chunk += 32, q += 4)
            {
                var packed = Avx.LoadVector256(chunk);
                var low = Avx2.And(packed, mask);
                var high = Avx2.And(Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(), mask);
                p0 = Avx2.Add(p0, Avx2.Add(Avx2.MultiplyAddAdjacent(low, QuantGroup(q)), Avx2.MultiplyAddAdjacent(high, QuantGroup(q + 16))));
                p1 = Avx2.Add(p1, Avx2.Add(Avx2.MultiplyAddAdjacent(low, QuantGroup(q + stride1)), Avx2.MultiplyAddAdjacent(high, QuantGroup(q + stride1 + 16))));
                p2 = Avx2.Add(p2, Avx2.Add(Avx2.MultiplyAddAdjacent(low, QuantGroup(q + stride2)), Avx2.MultiplyAddAdjacent(high, QuantGroup(q + stride2 + 16))));
                p3 = Avx2.Add(p3, Avx2.Add(Avx2.MultiplyAddAdjacent(low, QuantGroup(q + stride3)), Avx2.MultiplyAddAdjacent(high, QuantGroup(q + stride3 + 16))));
            }
            var dx = HalvesToSingles(w);
            acc0 = Accumulate(p0, dx, sums, acc0);
            acc1 = Accumulate(p1, dx, sums + sums1, acc1);
            acc2 = Accumulate(p2, dx, sums + 2 * sums1, acc2);
            acc3 = Accumulate(p3, dx, sums + 3 * sums1, acc3);
        }
        Avx.Store(y, acc0);
        Avx.Store(y + yStride, acc1);
        Avx.Store(y + 2 * yStride, acc2);
        Avx.Store(y + 3 * yStride, acc3);
    }

    /// <summary>acc + (sum(n q) - 8 sum(q)) * (dx * dy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Accumulate(Vector256<short> products, Vector256<float> dx, int* sums, Vector256<float> acc)
    {
        var exact = Avx2.Subtract(Avx2Helpers.SumPairs(products), Avx2.BroadcastScalarToVector256(sums + 1));
        var d = Avx.Multiply(dx, Avx.BroadcastScalarToVector256((float*)sums));
        return Fma.MultiplyAdd(Avx.ConvertToVector256Single(exact), d, acc);
    }
}
