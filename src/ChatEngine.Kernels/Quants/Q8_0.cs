namespace ChatEngine.Kernels.Quants;

/// <summary>block_q8_0 (34 bytes, 32 values): half d; sbyte qs[32]. Value j is d * qs[j].</summary>
internal static class Q8_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 34;

    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (var b = 0; b < destination.Length / BlockSize; b++)
        {
            var block = source.Slice(b * BlockBytes, BlockBytes);
            Int8Writer.Write32(block[2..], HalfBits.Read(block), destination.Slice(b * BlockSize, BlockSize));
        }
    }

    /// <summary>quantize_row_q8_0_ref: d = amax / 127, levels rounded half away from zero.</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (var b = 0; b < source.Length / BlockSize; b++)
        {
            var x = source.Slice(b * BlockSize, BlockSize);
            var block = destination.Slice(b * BlockBytes, BlockBytes);
            float amax = 0;
            foreach (var v in x) amax = MathF.Max(amax, MathF.Abs(v));
            var d = amax / 127;
            var id = d != 0 ? 1.0f / d : 0.0f;
            HalfBits.Write(block, d);
            for (var j = 0; j < BlockSize; j++)
                block[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
        }
    }
}
