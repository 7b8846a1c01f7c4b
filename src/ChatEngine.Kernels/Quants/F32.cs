using System.Runtime.InteropServices;

namespace ChatEngine.Kernels.Quants;

/// <summary>Plain little-endian single-precision elements.</summary>
internal static class F32
{
    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination) =>
        MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);

    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination) =>
        MemoryMarshal.AsBytes(source).CopyTo(destination);
}
