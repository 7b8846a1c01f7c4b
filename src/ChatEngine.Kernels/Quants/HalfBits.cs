using System.Buffers.Binary;

namespace ChatEngine.Kernels.Quants;

/// <summary>IEEE half-precision scale fields as ggml stores them (little-endian, round-to-nearest-even on encode).</summary>
internal static class HalfBits
{
    public static float Read(ReadOnlySpan<byte> source) =>
        (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(source));

    public static void Write(Span<byte> destination, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(destination, BitConverter.HalfToUInt16Bits((Half)value));

    /// <summary>The value a scale takes after a round trip through its stored half-precision form.</summary>
    public static float Round(float value) => (float)(Half)value;
}
