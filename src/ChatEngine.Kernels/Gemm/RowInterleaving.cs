using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// The repacked layouts that the interleaved kernels (<see cref="InterleavedQ4_0"/>, <see cref="InterleavedQ8_0"/>,
/// <see cref="InterleavedQ4_K"/>) read: 8 rows at a time, so that one 32-byte load holds 4 quant bytes of each of
/// 8 rows and the integer sums come out one lane per row (like llama.cpp's 8x8 repacks).
/// </summary>
/// <remarks>
/// Q4_0 and Q8_0, per group of 8 rows and per block: the 8 rows' F16 scales (16 bytes), then chunks of 32 bytes;
/// chunk j holds quant bytes 4j..4j+3 of each row, row r at 4r, so a group occupies exactly the 8 rows' bytes in the
/// file. Q4_K: see <see cref="InterleavedQ4_K"/>.
/// </remarks>
internal static unsafe class RowInterleaving
{
    public const int Rows = 8;

    /// <summary>Ints per activation block in the prepared sums: dy's float bits, then 8 x the sum of its quants.</summary>
    public const int SumsPerBlock = 2;

    public static bool CanPack(in WeightMatrix w) =>
        KernelIsa.Avx2Active && w.Rows % Rows == 0 && w.Type switch
        {
            GgmlType.Q4_0 or GgmlType.Q8_0 => w.Cols % BlockLayout.QK == 0,
            GgmlType.Q4_K => w.Cols % BlockLayout.QK_K == 0,
            _ => false,
        };

    /// <summary>Bytes of one group of 8 rows of <paramref name="w"/> in the repacked layout.</summary>
    public static long GroupBytes(in WeightMatrix w) => w.Type == GgmlType.Q4_K
        ? (long)(w.Cols / BlockLayout.QK_K) * InterleavedQ4_K.GroupBlockBytes
        : (long)Rows * w.RowBytes;

    /// <summary>Writes groups [<paramref name="firstGroup"/>, <paramref name="endGroup"/>) of 8 rows of <paramref name="w"/> to their place in <paramref name="destination"/>.</summary>
    public static void Pack(in WeightMatrix w, byte* destination, int firstGroup, int endGroup)
    {
        if (w.Type == GgmlType.Q4_K) InterleavedQ4_K.Pack(w, destination, firstGroup, endGroup);
        else PackBlocks(w, destination, firstGroup, endGroup);
    }

    private static void PackBlocks(in WeightMatrix w, byte* destination, int firstGroup, int endGroup)
    {
        var blockBytes = BlockBytes(w.Type);
        var chunks = (blockBytes - 2) / 4;
        var blocks = w.Cols / BlockLayout.QK;
        for (var group = firstGroup; group < endGroup; group++)
            for (var b = 0; b < blocks; b++)
            {
                var target = destination + ((long)group * blocks + b) * Rows * blockBytes;
                for (var r = 0; r < Rows; r++)
                {
                    var block = w.Data + (long)(group * Rows + r) * w.RowBytes + b * blockBytes;
                    Unsafe.WriteUnaligned(target + 2 * r, Unsafe.ReadUnaligned<ushort>(block));
                    for (var j = 0; j < chunks; j++)
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
            var lanes = Avx2Helpers.SumPairs(Avx2.MultiplyAddAdjacent(Vector256.Create((byte)1), quants));
            var four = Sse2.Add(lanes.GetLower(), lanes.GetUpper());
            sums[0] = BitConverter.SingleToInt32Bits(HalfToSingle(row));
            sums[1] = 8 * (four.GetElement(0) + four.GetElement(1) + four.GetElement(2) + four.GetElement(3));
        }
    }

    /// <summary>The 4 activation quants at <paramref name="q"/> in every 32-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> QuantGroup(byte* q) => Avx2.BroadcastScalarToVector256((int*)q).AsSByte();

    private static int BlockBytes(GgmlType type) => type == GgmlType.Q4_0 ? BlockLayout.Q4_0Bytes : BlockLayout.Q8_0Bytes;
}
