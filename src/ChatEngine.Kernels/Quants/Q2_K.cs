using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q2_K (84 bytes, 256 values): byte scales[16]; byte qs[64]; half d; half dmin. Sixteen sub-blocks of 16:
/// scales[j] holds a 4-bit scale (low) and 4-bit min (high); value = d * scale * q - dmin * min with 2-bit q.
/// Within each 128-value half, qs byte l holds values l, l+32, l+64, l+96 in bit pairs 0, 2, 4, 6.
/// </summary>
internal static class Q2_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 84;
    private const int QsOffset = 16;
    private const int DOffset = 80;
    private const int DminOffset = 82;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var output = destination.Slice(b * BlockSize, BlockSize);
            var d = HalfBits.Read(block[DOffset..]);
            var min = HalfBits.Read(block[DminOffset..]);
            var three = Vector128.Create((byte)3);
            var position = 0;
            var scaleIndex = 0;
            for (var half = 0; half < 2; half++)
            {
                var q = block.Slice(QsOffset + 32 * half, 32);
                for (var shift = 0; shift < 8; shift += 2)
                {
                    for (var part = 0; part < 2; part++)
                    {
                        var sc = block[scaleIndex++];
                        var levels = Vector128.ShiftRightLogical(Vector128.Create(q.Slice(16 * part, 16)), shift) & three;
                        LevelWriter.Write16(levels, 0, d * (sc & 0xF), min * (sc >> 4), output[position..]);
                        position += 16;
                    }
                }
            }
        }
    }

    /// <summary>quantize_row_q2_K_ref.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        Span<byte> levels = stackalloc byte[BlockSize];
        Span<byte> scratch = stackalloc byte[16];
        Span<float> weights = stackalloc float[16];
        Span<float> mins = stackalloc float[16];
        Span<float> scales = stackalloc float[16];
        const float q4scale = 15f;

        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var x = source.Slice(b * BlockSize, BlockSize);
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            float maxScale = 0, maxMin = 0;
            for (var j = 0; j < 16; j++)
            {
                var group = x.Slice(16 * j, 16);
                for (var l = 0; l < 16; l++) weights[l] = MathF.Abs(group[l]);
                scales[j] = ScaleSearch.AsymmetricWeighted(group, weights, 3, levels.Slice(16 * j, 16), scratch,
                    out mins[j], -0.5f, 0.1f, 15, useMad: true);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }

            var blockScales = block[..16];
            if (maxScale > 0)
            {
                var iscale = q4scale / maxScale;
                for (var j = 0; j < 16; j++) blockScales[j] = (byte)ScaleSearch.NearestInt(iscale * scales[j]);
                HalfBits.Write(block[DOffset..], maxScale / q4scale);
            }
            else
            {
                blockScales.Clear();
                HalfBits.Write(block[DOffset..], 0f);
            }
            if (maxMin > 0)
            {
                var iscale = q4scale / maxMin;
                for (var j = 0; j < 16; j++) blockScales[j] |= (byte)(ScaleSearch.NearestInt(iscale * mins[j]) << 4);
                HalfBits.Write(block[DminOffset..], maxMin / q4scale);
            }
            else
            {
                HalfBits.Write(block[DminOffset..], 0f);
            }

            var dAll = HalfBits.Read(block[DOffset..]);
            var minAll = HalfBits.Read(block[DminOffset..]);
            for (var j = 0; j < 16; j++)
            {
                var d = dAll * (blockScales[j] & 0xF);
                if (d == 0) continue;
                var dm = minAll * (blockScales[j] >> 4);
                for (var i = 0; i < 16; i++)
                    levels[16 * j + i] = (byte)Math.Clamp(ScaleSearch.NearestInt((x[16 * j + i] + dm) / d), 0, 3);
            }

            PackTwoBit(levels, block.Slice(QsOffset, 64));
        }
    }

    /// <summary>2-bit packing shared with Q3_K: per 128 values, byte l holds l, l+32, l+64, l+96.</summary>
    public static void PackTwoBit(ReadOnlySpan<byte> levels, Span<byte> qs)
    {
        for (var half = 0; half < 2; half++)
        {
            var l0 = 128 * half;
            for (var l = 0; l < 32; l++)
                qs[32 * half + l] = (byte)(levels[l0 + l] | (levels[l0 + l + 32] << 2) | (levels[l0 + l + 64] << 4)
                    | (levels[l0 + l + 96] << 6));
        }
    }
}
