using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q4_K (144 bytes, 256 values): half d; half dmin; byte scales[12] (see <see cref="KScales"/>); byte qs[128].
/// Eight sub-blocks of 32: value = d * scale * q - dmin * min with 4-bit q. Each 64 values share 32 bytes of qs:
/// the first 32 values in the low nibbles, the next 32 in the high nibbles.
/// </summary>
internal static class Q4_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 144;
    private const int QsOffset = 16;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
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
                var q = block.Slice(QsOffset + 32 * chunk, 32);
                var y = output.Slice(64 * chunk, 64);
                for (var half = 0; half < 2; half++)
                {
                    var packed = Vector128.Create(q.Slice(16 * half, 16));
                    LevelWriter.Write16(LevelWriter.LowNibbles(packed), 0, d1, min1, y[(16 * half)..]);
                    LevelWriter.Write16(LevelWriter.HighNibbles(packed), 0, d2, min2, y[(32 + 16 * half)..]);
                }
            }
        }
    }

    /// <summary>quantize_row_q4_K_ref.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        Span<byte> levels = stackalloc byte[BlockSize];
        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            KScales.QuantizeSuperBlock(source.Slice(b * BlockSize, BlockSize), block, levels, 15, -1f, 0.1f, 20);
            var qs = block[QsOffset..];
            for (var chunk = 0; chunk < 4; chunk++)
            {
                for (var l = 0; l < 32; l++)
                    qs[32 * chunk + l] = (byte)(levels[64 * chunk + l] | (levels[64 * chunk + l + 32] << 4));
            }
        }
    }
}
