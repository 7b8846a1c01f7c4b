using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// Q4_0 weights repacked 8 rows at a time so that one 32-byte load holds 4 quant bytes of each of 8 rows, and the
/// matrix products over that layout with Q8_0 activations (one output lane per row, like llama.cpp's q4_0_8x8 repack).
/// </summary>
/// <remarks>
/// <para>Layout: per group of 8 rows and per block, the 8 rows' F16 scales (16 bytes), then 4 chunks of 32 bytes;
/// chunk j holds bytes 4j..4j+3 of each row's 16 quant bytes, row r at 4r. A quant byte holds element m in its low
/// nibble and element m + 16 in its high nibble, so the low nibbles of chunk j meet activation elements 4j..4j+3 and
/// the high nibbles elements 16+4j..16+4j+3. A group occupies exactly the 8 rows' bytes in the file.</para>
/// <para>Arithmetic: vpmaddubsw of the unsigned nibbles n with the activations q, the 8 products of each row summed in
/// 16-bit lanes (|sum| &lt;= 16 x 15 x 127 &lt; 2^15), then sum((n - 8) q) = sum(n q) - 8 sum(q) exactly, with
/// 8 sum(q) prepared once per activation block (<see cref="PrepareActivations"/>). Each output then gets
/// acc = fma(block sum, dx * dy, acc) per block, bitwise <see cref="Q4_0Dot.Simd"/>'s result, for one token or four.</para>
/// </remarks>
internal static unsafe class InterleavedQ4_0
{
    public const int Rows = 8;
    public const int TokenGroup = 4;
    private const int GroupBlockBytes = Rows * BlockLayout.Q4_0Bytes;

    /// <summary>Ints per activation block in the prepared sums: dy's float bits, then 8 x the sum of its quants.</summary>
    public const int SumsPerBlock = 2;

    public static bool CanPack(in WeightMatrix w) =>
        Avx2Helpers.IsSupported && w.Type == GgmlType.Q4_0 && w.Rows % Rows == 0 && w.Cols % BlockLayout.QK == 0;

    /// <summary>Writes <paramref name="w"/>'s rows in the interleaved layout to <paramref name="destination"/> (w.Rows x w.RowBytes bytes).</summary>
    public static void Pack(in WeightMatrix w, byte* destination)
    {
        var blocks = w.Cols / BlockLayout.QK;
        for (var group = 0; group < w.Rows / Rows; group++)
            for (var b = 0; b < blocks; b++)
            {
                var target = destination + ((long)group * blocks + b) * GroupBlockBytes;
                for (var r = 0; r < Rows; r++)
                {
                    var block = w.Data + (long)(group * Rows + r) * w.RowBytes + b * BlockLayout.Q4_0Bytes;
                    Unsafe.WriteUnaligned(target + 2 * r, Unsafe.ReadUnaligned<ushort>(block));
                    for (var j = 0; j < 4; j++)
                        Unsafe.WriteUnaligned(target + 2 * Rows + 32 * j + 4 * r, Unsafe.ReadUnaligned<uint>(block + 2 + 4 * j));
                }
            }
    }

    /// <summary>For each Q8_0 block of one activation row: dy as float bits and 8 x the sum of its 32 quants.</summary>
    public static void PrepareActivations(byte* row, int blocks, int* sums)
    {
        for (var b = 0; b < blocks; b++, row += BlockLayout.Q8_0Bytes, sums += SumsPerBlock)
        {
            var quants = Avx.LoadVector256((sbyte*)(row + 2));
            var pairs = Avx2.MultiplyAddAdjacent(Vector256.Create((byte)1), quants);
            var lanes = Avx2Helpers.SumPairs(pairs);
            var four = Sse2.Add(lanes.GetLower(), lanes.GetUpper());
            sums[0] = BitConverter.SingleToInt32Bits(HalfToSingle(row));
            sums[1] = 8 * (four.GetElement(0) + four.GetElement(1) + four.GetElement(2) + four.GetElement(3));
        }
    }

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
                var packed = Avx.LoadVector256(w + 2 * Rows + 32 * j);
                var low = Avx2.And(packed, mask);
                var high = Avx2.And(Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(), mask);
                products = Avx2.Add(products, Avx2.Add(
                    Avx2.MultiplyAddAdjacent(low, Quants(q + 4 * j)),
                    Avx2.MultiplyAddAdjacent(high, Quants(q + 16 + 4 * j))));
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
        for (var b = 0; b < blocks; b++, w += GroupBlockBytes, a += BlockLayout.Q8_0Bytes, sums += SumsPerBlock)
        {
            var q0 = a + 2;
            var q1 = q0 + activationRowBytes;
            var q2 = q1 + activationRowBytes;
            var q3 = q2 + activationRowBytes;
            Vector256<short> p0 = default, p1 = default, p2 = default, p3 = default;
            for (var j = 0; j < 4; j++)
            {
                var packed = Avx.LoadVector256(w + 2 * Rows + 32 * j);
                var low = Avx2.And(packed, mask);
                var high = Avx2.And(Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(), mask);
                var first = 4 * j;
                var second = 16 + 4 * j;
                p0 = Avx2.Add(p0, Avx2.Add(Avx2.MultiplyAddAdjacent(low, Quants(q0 + first)), Avx2.MultiplyAddAdjacent(high, Quants(q0 + second))));
                p1 = Avx2.Add(p1, Avx2.Add(Avx2.MultiplyAddAdjacent(low, Quants(q1 + first)), Avx2.MultiplyAddAdjacent(high, Quants(q1 + second))));
                p2 = Avx2.Add(p2, Avx2.Add(Avx2.MultiplyAddAdjacent(low, Quants(q2 + first)), Avx2.MultiplyAddAdjacent(high, Quants(q2 + second))));
                p3 = Avx2.Add(p3, Avx2.Add(Avx2.MultiplyAddAdjacent(low, Quants(q3 + first)), Avx2.MultiplyAddAdjacent(high, Quants(q3 + second))));
            }
            var dx = HalvesToSingles(w);
            acc0 = Accumulate(p0, dx, sums, acc0);
            acc1 = Accumulate(p1, dx, sums + sumsStride, acc1);
            acc2 = Accumulate(p2, dx, sums + 2 * sumsStride, acc2);
            acc3 = Accumulate(p3, dx, sums + 3 * sumsStride, acc3);
        }
        Avx.Store(y, acc0);
        Avx.Store(y + yStride, acc1);
        Avx.Store(y + 2 * yStride, acc2);
        Avx.Store(y + 3 * yStride, acc3);
    }

    /// <summary>The 4 activation quants at <paramref name="q"/> in every 32-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Quants(byte* q) => Avx2.BroadcastScalarToVector256((int*)q).AsSByte();

    /// <summary>acc + (sum(n q) - 8 sum(q)) * (dx * dy), one lane per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Accumulate(Vector256<short> products, Vector256<float> dx, int* sums, Vector256<float> acc)
    {
        var exact = Avx2.Subtract(Avx2Helpers.SumPairs(products), Avx2.BroadcastScalarToVector256(sums + 1));
        var d = Avx.Multiply(dx, Avx.BroadcastScalarToVector256((float*)sums));
        return Fma.MultiplyAdd(Avx.ConvertToVector256Single(exact), d, acc);
    }
}
