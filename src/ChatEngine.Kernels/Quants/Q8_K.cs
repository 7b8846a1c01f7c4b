using System.Buffers.Binary;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// block_q8_K (292 bytes, 256 values): float d; sbyte qs[256]; short bsums[16] (sums of each 16 levels, used by the
/// K-quant dot products). Value j is d * qs[j].
/// </summary>
internal static class Q8_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 292;
    private const int QsOffset = 4;
    private const int BsumsOffset = 260;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            var d = BinaryPrimitives.ReadSingleLittleEndian(block);
            for (var part = 0; part < BlockSize / 32; part++)
                Int8Writer.Write32(block.Slice(QsOffset + 32 * part, 32), d, destination.Slice(b * BlockSize + 32 * part, 32));
        }
    }

    /// <summary>quantize_row_q8_K_ref: d = max / -127 where max is the value of largest magnitude.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var x = source.Slice(b * BlockSize, BlockSize);
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            float max = 0, amax = 0;
            foreach (var v in x)
            {
                var ax = MathF.Abs(v);
                if (ax > amax) { amax = ax; max = v; }
            }
            if (amax == 0)
            {
                block.Clear();
                continue;
            }
            var iscale = -127f / max;
            var qs = block.Slice(QsOffset, BlockSize);
            for (var j = 0; j < BlockSize; j++) qs[j] = (byte)(sbyte)Math.Min(127, ScaleSearch.NearestInt(iscale * x[j]));
            for (var j = 0; j < 16; j++)
            {
                var sum = 0;
                for (var i = 0; i < 16; i++) sum += (sbyte)qs[16 * j + i];
                BinaryPrimitives.WriteInt16LittleEndian(block[(BsumsOffset + 2 * j)..], (short)sum);
            }
            BinaryPrimitives.WriteSingleLittleEndian(block, 1 / iscale);
        }
    }
}
