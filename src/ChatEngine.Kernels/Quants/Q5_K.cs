using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q5_K (176 bytes, 256 values): half d; half dmin; byte scales[12] (see <see cref="KScales"/>); byte qh[32];
/// byte qs[128]. As <see cref="Q4_K"/> with a fifth bit: for value 64*c + l (l &lt; 32) it is bit 2c of qh[l], for
/// 64*c + 32 + l bit 2c+1.
/// </summary>
internal static class Q5_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 176;
    private const int QhOffset = 16;
    private const int QsOffset = 48;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        var sixteen = Vector128.Create((byte)16);
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var output = destination.Slice(b * BlockSize, BlockSize);
            var d = HalfBits.Read(block);
            var min = HalfBits.Read(block[2..]);
            var packedScales = block.Slice(4, 12);
            for (var chunk = 0; chunk < 4; chunk++)
            {
                var (sc1, m1) = KScales.Get(packedScales, 2 * chunk);
                var (sc2, m2) = KScales.Get(packedScales, 2 * chunk + 1);
                float d1 = d * sc1, min1 = min * m1, d2 = d * sc2, min2 = min * m2;
                var lowBit = Vector128.Create((byte)(1 << (2 * chunk)));
                var highBit = Vector128.Create((byte)(2 << (2 * chunk)));
                var q = block.Slice(QsOffset + 32 * chunk, 32);
                var y = output.Slice(64 * chunk, 64);
                for (var half = 0; half < 2; half++)
                {
                    var packed = Vector128.Create(q.Slice(16 * half, 16));
                    var qh = Vector128.Create(block.Slice(QhOffset + 16 * half, 16));
                    var first = LevelWriter.LowNibbles(packed)
                        | Vector128.AndNot(sixteen, Vector128.Equals(qh & lowBit, Vector128<byte>.Zero));
                    var second = LevelWriter.HighNibbles(packed)
                        | Vector128.AndNot(sixteen, Vector128.Equals(qh & highBit, Vector128<byte>.Zero));
                    LevelWriter.Write16(first, 0, d1, min1, y[(16 * half)..]);
                    LevelWriter.Write16(second, 0, d2, min2, y[(32 + 16 * half)..]);
                }
            }
        }
    }

    /// <summary>quantize_row_q5_K_ref.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        Span<byte> levels = stackalloc byte[BlockSize];
        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            KScales.QuantizeSuperBlock(source.Slice(b * BlockSize, BlockSize), block, levels, 31, -0.5f, 0.1f, 15);
            var qh = block.Slice(QhOffset, 32);
            var qs = block.Slice(QsOffset, 128);
            qh.Clear();
            for (var chunk = 0; chunk < 4; chunk++)
            {
                for (var l = 0; l < 32; l++)
                {
                    int first = levels[64 * chunk + l], second = levels[64 * chunk + l + 32];
                    if (first > 15)
                    {
                        first -= 16;
                        qh[l] |= (byte)(1 << (2 * chunk));
                    }
                    if (second > 15)
                    {
                        second -= 16;
                        qh[l] |= (byte)(2 << (2 * chunk));
                    }
                    qs[32 * chunk + l] = (byte)(first | (second << 4));
                }
            }
        }
    }
}
