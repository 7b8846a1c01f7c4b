using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q4_0 (18 bytes, 32 values): half d; byte qs[16]. Value j is d * (nibble - 8) where qs[j] holds values j
/// (low nibble) and j + 16 (high nibble).
/// </summary>
internal static class Q4_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 18;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var output = destination.Slice(b * BlockSize, BlockSize);
            var d = HalfBits.Read(block);
            var packed = Vector128.Create(block.Slice(2, 16));
            LevelWriter.Write16(LevelWriter.LowNibbles(packed), 8, d, 0f, output);
            LevelWriter.Write16(LevelWriter.HighNibbles(packed), 8, d, 0f, output[16..]);
        }
    }

    /// <summary>quantize_row_q4_0_ref: d = max / -8 where max is the value of largest magnitude; truncating rounding.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var x = source.Slice(b * BlockSize, BlockSize);
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            float amax = 0, max = 0;
            foreach (var v in x)
            {
                if (amax < MathF.Abs(v)) { amax = MathF.Abs(v); max = v; }
            }
            var d = max / -8;
            var id = d != 0 ? 1.0f / d : 0.0f;
            HalfBits.Write(block, d);
            for (var j = 0; j < 16; j++)
            {
                var low = Math.Min(15, (int)(x[j] * id + 8.5f));
                var high = Math.Min(15, (int)(x[j + 16] * id + 8.5f));
                block[2 + j] = (byte)(low | (high << 4));
            }
        }
    }
}
