using System.Runtime.InteropServices;
using ChatEngine.Gguf;

namespace ChatEngine.Kernels.Quants;

/// <summary>Dequantize / quantize rows of any supported type. (Skeleton: F32 only.)</summary>
public static class QuantFormats
{
    /// <summary>Decodes <paramref name="destination"/>.Length values of <paramref name="type"/> from <paramref name="source"/>.</summary>
    public static void Dequantize(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (type != GgmlType.F32) throw new NotSupportedException(type.ToString());
        MemoryMarshal.Cast<byte, float>(source)[..destination.Length].CopyTo(destination);
    }

    /// <summary>Encodes <paramref name="source"/> (a whole number of blocks) as <paramref name="type"/> into <paramref name="destination"/>.</summary>
    public static void Quantize(GgmlType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (type != GgmlType.F32) throw new NotSupportedException(type.ToString());
        MemoryMarshal.AsBytes(source).CopyTo(destination);
    }
}
