using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q6_K (210 bytes, 256 values): byte ql[128]; byte qh[64]; sbyte scales[16]; half d. Sixteen sub-blocks of
/// 16: value = d * scale * (q - 32) with 6-bit q. Per 128 values (64 bytes of ql, 32 of qh): value l (l &lt; 32) has
/// its low 4 bits in the low nibble of ql[l], l+32 in the low nibble of ql[l+32], l+64 and l+96 in the high nibbles
/// of the same bytes; their top 2 bits are bit pairs 0, 2, 4, 6 of qh[l].
/// </summary>
internal static class Q6_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 210;
    private const int QhOffset = 128;
    private const int ScalesOffset = 192;
    private const int DOffset = 208;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        var three = Vector128.Create((byte)3);
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var output = destination.Slice(b * BlockSize, BlockSize);
            var d = HalfBits.Read(block[DOffset..]);
            for (var half = 0; half < 2; half++)
            {
                var ql = block.Slice(64 * half, 64);
                var qh = block.Slice(QhOffset + 32 * half, 32);
                var scales = block.Slice(ScalesOffset + 8 * half, 8);
                var y = output.Slice(128 * half, 128);
                for (var group = 0; group < 2; group++)
                {
                    var l = 16 * group;
                    var lowA = Vector128.Create(ql.Slice(l, 16));
                    var lowB = Vector128.Create(ql.Slice(l + 32, 16));
                    var high = Vector128.Create(qh.Slice(l, 16));
                    var q1 = LevelWriter.LowNibbles(lowA) | Vector128.ShiftLeft(high & three, 4);
                    var q2 = LevelWriter.LowNibbles(lowB) | Vector128.ShiftLeft(Vector128.ShiftRightLogical(high, 2) & three, 4);
                    var q3 = LevelWriter.HighNibbles(lowA) | Vector128.ShiftLeft(Vector128.ShiftRightLogical(high, 4) & three, 4);
                    var q4 = LevelWriter.HighNibbles(lowB) | Vector128.ShiftLeft(Vector128.ShiftRightLogical(high, 6), 4);
                    LevelWriter.Write16(q1, 32, d * (sbyte)scales[group], 0f, y[l..]);
                    LevelWriter.Write16(q2, 32, d * (sbyte)scales[group + 2], 0f, y[(l + 32)..]);
                    LevelWriter.Write16(q3, 32, d * (sbyte)scales[group + 4], 0f, y[(l + 64)..]);
                    LevelWriter.Write16(q4, 32, d * (sbyte)scales[group + 6], 0f, y[(l + 96)..]);
                }
            }
        }
    }

    /// <summary>quantize_row_q6_K_ref.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        Span<sbyte> levels = stackalloc sbyte[BlockSize];
        Span<float> scales = stackalloc float[16];
        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var x = source.Slice(b * BlockSize, BlockSize);
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            float maxScale = 0, maxAbsScale = 0;
            for (var j = 0; j < 16; j++)
            {
                scales[j] = ScaleSearch.SymmetricWeighted(x.Slice(16 * j, 16), 32, levels.Slice(16 * j, 16));
                var absScale = MathF.Abs(scales[j]);
                if (absScale > maxAbsScale) { maxAbsScale = absScale; maxScale = scales[j]; }
            }
            if (maxAbsScale < ScaleSearch.GroupMaxEps)
            {
                block.Clear();
                continue;
            }

            var iscale = -128f / maxScale;
            HalfBits.Write(block[DOffset..], 1 / iscale);
            var blockScales = block.Slice(ScalesOffset, 16);
            for (var j = 0; j < 16; j++)
                blockScales[j] = (byte)(sbyte)Math.Min(127, ScaleSearch.NearestInt(iscale * scales[j]));

            var dAll = HalfBits.Read(block[DOffset..]);
            for (var j = 0; j < 16; j++)
            {
                var d = dAll * (sbyte)blockScales[j];
                if (d == 0) continue;
                for (var i = 0; i < 16; i++)
                    levels[16 * j + i] = (sbyte)(Math.Clamp(ScaleSearch.NearestInt(x[16 * j + i] / d), -32, 31) + 32);
            }

            for (var half = 0; half < 2; half++)
            {
                var l0 = 128 * half;
                var ql = block.Slice(64 * half, 64);
                var qh = block.Slice(QhOffset + 32 * half, 32);
                for (var l = 0; l < 32; l++)
                {
                    int q1 = levels[l0 + l], q2 = levels[l0 + l + 32], q3 = levels[l0 + l + 64], q4 = levels[l0 + l + 96];
                    ql[l] = (byte)((q1 & 0xF) | ((q3 & 0xF) << 4));
                    ql[l + 32] = (byte)((q2 & 0xF) | ((q4 & 0xF) << 4));
                    qh[l] = (byte)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
                }
            }
        }
    }
}
