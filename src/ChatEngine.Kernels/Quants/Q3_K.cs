using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q3_K (110 bytes, 256 values): byte hmask[32]; byte qs[64]; byte scales[12]; half d. Sixteen sub-blocks of
/// 16 with signed 6-bit scales (stored +32: low 4 bits in scales[0..7] nibbles, high 2 bits in scales[8..11]);
/// value = d * (scale - 32) * (q - 4) where q has 2 low bits packed like <see cref="Q2_K"/> and its high bit in
/// hmask (bit j/32 of hmask[j % 32]), the high bit being set when q &gt;= 4.
/// </summary>
internal static class Q3_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 110;
    private const int QsOffset = 32;
    private const int ScalesOffset = 96;
    private const int DOffset = 108;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        Span<int> scales = stackalloc int[16];
        var three = Vector128.Create((byte)3);
        var four = Vector128.Create((byte)4);
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var output = destination.Slice(b * BlockSize, BlockSize);
            var d = HalfBits.Read(block[DOffset..]);
            var packedScales = block.Slice(ScalesOffset, 12);
            for (var j = 0; j < 16; j++) scales[j] = Scale(packedScales, j);
            var hmask = block[..32];
            var position = 0;
            var scaleIndex = 0;
            var bit = 1;
            for (var half = 0; half < 2; half++)
            {
                var q = block.Slice(QsOffset + 32 * half, 32);
                for (var shift = 0; shift < 8; shift += 2)
                {
                    for (var part = 0; part < 2; part++)
                    {
                        // level - 4 where level = 2 low bits | 4 when the hmask bit is set
                        var low = Vector128.ShiftRightLogical(Vector128.Create(q.Slice(16 * part, 16)), shift) & three;
                        var high = Vector128.Create(hmask.Slice(16 * part, 16)) & Vector128.Create((byte)bit);
                        var levels = low | Vector128.AndNot(four, Vector128.Equals(high, Vector128<byte>.Zero));
                        LevelWriter.Write16(levels, 4, d * scales[scaleIndex++], 0f, output[position..]);
                        position += 16;
                    }
                    bit <<= 1;
                }
            }
        }
    }

    /// <summary>quantize_row_q3_K_ref.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        Span<sbyte> levels = stackalloc sbyte[BlockSize];
        Span<byte> unsignedLevels = stackalloc byte[BlockSize];
        Span<float> scales = stackalloc float[16];

        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var x = source.Slice(b * BlockSize, BlockSize);
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            float maxScale = 0, amax = 0;
            for (var j = 0; j < 16; j++)
            {
                scales[j] = ScaleSearch.SymmetricRefined(x.Slice(16 * j, 16), 4, levels.Slice(16 * j, 16));
                var scale = MathF.Abs(scales[j]);
                if (scale > amax) { amax = scale; maxScale = scales[j]; }
            }

            var packedScales = block.Slice(ScalesOffset, 12);
            packedScales.Clear();
            if (maxScale != 0)
            {
                var iscale = -32f / maxScale;
                for (var j = 0; j < 16; j++)
                {
                    var l = Math.Clamp((int)(sbyte)ScaleSearch.NearestInt(iscale * scales[j]), -32, 31) + 32;
                    if (j < 8) packedScales[j] = (byte)(l & 0xF);
                    else packedScales[j - 8] |= (byte)((l & 0xF) << 4);
                    packedScales[j % 4 + 8] |= (byte)((l >> 4) << (2 * (j / 4)));
                }
                HalfBits.Write(block[DOffset..], 1 / iscale);
            }
            else
            {
                HalfBits.Write(block[DOffset..], 0f);
            }

            var dAll = HalfBits.Read(block[DOffset..]);
            for (var j = 0; j < 16; j++)
            {
                var d = dAll * Scale(packedScales, j);
                if (d == 0) continue;
                for (var i = 0; i < 16; i++)
                    levels[16 * j + i] = (sbyte)(Math.Clamp(ScaleSearch.NearestInt(x[16 * j + i] / d), -4, 3) + 4);
            }

            var hmask = block[..32];
            hmask.Clear();
            for (var j = 0; j < BlockSize; j++)
            {
                var level = levels[j];
                if (level > 3)
                {
                    hmask[j % 32] |= (byte)(1 << (j / 32));
                    level -= 4;
                }
                unsignedLevels[j] = (byte)level;
            }
            Q2_K.PackTwoBit(unsignedLevels, block.Slice(QsOffset, 64));
        }
    }

    /// <summary>The signed scale of sub-block <paramref name="j"/> (already minus 32).</summary>
    private static int Scale(ReadOnlySpan<byte> packed, int j)
    {
        var low = j < 8 ? packed[j] & 0xF : packed[j - 8] >> 4;
        var high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
        return (low | (high << 4)) - 32;
    }
}
