using System.Buffers.Binary;
using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q5_0 (22 bytes, 32 values): half d; uint32 qh (little-endian); byte qs[16]. Value j is d * (q - 16) with the
/// 5-bit q = nibble (as in <see cref="Q4_0"/>) | bit j of qh &lt;&lt; 4.
/// </summary>
internal static class Q5_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 22;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var output = destination.Slice(b * BlockSize, BlockSize);
            var d = HalfBits.Read(block);
            var qh = BinaryPrimitives.ReadUInt32LittleEndian(block[2..]);
            var packed = Vector128.Create(block.Slice(6, 16));
            LevelWriter.Write16(LevelWriter.LowNibbles(packed) | LevelWriter.SpreadBits(qh, 16), 16, d, 0f, output);
            LevelWriter.Write16(LevelWriter.HighNibbles(packed) | LevelWriter.SpreadBits(qh >> 16, 16), 16, d, 0f, output[16..]);
        }
    }

    /// <summary>quantize_row_q5_0_ref: d = max / -16 where max is the value of largest magnitude; truncating rounding.</summary>
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
            var d = max / -16;
            var id = d != 0 ? 1.0f / d : 0.0f;
            HalfBits.Write(block, d);
            uint qh = 0;
            for (var j = 0; j < 16; j++)
            {
                var low = Math.Min(31, (int)(x[j] * id + 16.5f));
                var high = Math.Min(31, (int)(x[j + 16] * id + 16.5f));
                block[6 + j] = (byte)((low & 0x0F) | ((high & 0x0F) << 4));
                qh |= (uint)((low & 0x10) >> 4) << j;
                qh |= (uint)((high & 0x10) >> 4) << (j + 16);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(block[2..], qh);
        }
    }
}
