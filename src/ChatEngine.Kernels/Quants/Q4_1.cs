using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q4_1 (20 bytes, 32 values): half d; half m; byte qs[16]. Value j is d * nibble + m, nibbles laid out as in
/// <see cref="Q4_0"/>.
/// </summary>
internal static class Q4_1
{
    public const int BlockSize = 32;
    public const int BlockBytes = 20;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var output = destination.Slice(b * BlockSize, BlockSize);
            var d = HalfBits.Read(block);
            var m = HalfBits.Read(block[2..]);
            var packed = Vector128.Create(block.Slice(4, 16));
            LevelWriter.Write16(LevelWriter.LowNibbles(packed), 0, d, -m, output);
            LevelWriter.Write16(LevelWriter.HighNibbles(packed), 0, d, -m, output[16..]);
        }
    }

    /// <summary>quantize_row_q4_1_ref: d = (max - min) / 15, m = min; truncating rounding of (x - min) / d.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var x = source.Slice(b * BlockSize, BlockSize);
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            var min = float.MaxValue;
            var max = -float.MaxValue;
            foreach (var v in x)
            {
                if (v < min) min = v;
                if (v > max) max = v;
            }
            var d = (max - min) / 15;
            var id = d != 0 ? 1.0f / d : 0.0f;
            HalfBits.Write(block, d);
            HalfBits.Write(block[2..], min);
            for (var j = 0; j < 16; j++)
            {
                var low = Math.Min(15, (int)((x[j] - min) * id + 0.5f));
                var high = Math.Min(15, (int)((x[j + 16] - min) * id + 0.5f));
                block[4 + j] = (byte)(low | (high << 4));
            }
        }
    }
}
