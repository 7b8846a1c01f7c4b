using System.Buffers.Binary;
using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q5_1 (24 bytes, 32 values): half d; half m; uint32 qh; byte qs[16]. Value j is d * q + m with the 5-bit q
/// built as in <see cref="Q5_0"/>.
/// </summary>
internal static class Q5_1
{
    public const int BlockSize = 32;
    public const int BlockBytes = 24;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var output = destination.Slice(b * BlockSize, BlockSize);
            var d = HalfBits.Read(block);
            var m = HalfBits.Read(block[2..]);
            var qh = BinaryPrimitives.ReadUInt32LittleEndian(block[4..]);
            var packed = Vector128.Create(block.Slice(8, 16));
            LevelWriter.Write16(LevelWriter.LowNibbles(packed) | LevelWriter.SpreadBits(qh, 16), 0, d, -m, output);
            LevelWriter.Write16(LevelWriter.HighNibbles(packed) | LevelWriter.SpreadBits(qh >> 16, 16), 0, d, -m, output[16..]);
        }
    }

    /// <summary>quantize_row_q5_1_ref: d = (max - min) / 31, m = min; truncating rounding of (x - min) / d.</summary>
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
            var d = (max - min) / 31;
            var id = d != 0 ? 1.0f / d : 0.0f;
            HalfBits.Write(block, d);
            HalfBits.Write(block[2..], min);
            uint qh = 0;
            for (var j = 0; j < 16; j++)
            {
                var low = (int)((x[j] - min) * id + 0.5f);
                var high = (int)((x[j + 16] - min) * id + 0.5f);
                block[8 + j] = (byte)((low & 0x0F) | ((high & 0x0F) << 4));
                qh |= (uint)((low & 0x10) >> 4) << j;
                qh |= (uint)((high & 0x10) >> 4) << (j + 16);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(block[4..], qh);
        }
    }
}
