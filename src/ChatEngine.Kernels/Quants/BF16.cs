using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// bfloat16 elements: the upper 16 bits of a float. Encoding rounds to nearest even and turns NaN into a quiet NaN,
/// as ggml_fp32_to_bf16_row_ref does (no flushing of subnormals).
/// </summary>
internal static class BF16
{
    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination)
    {
        var bits = MemoryMarshal.Cast<byte, ushort>(source);
        var output = MemoryMarshal.Cast<float, uint>(destination);
        var i = 0;
        for (; i + Vector256<ushort>.Count <= bits.Length; i += Vector256<ushort>.Count)
        {
            var packed = Vector256.Create(bits.Slice(i, Vector256<ushort>.Count));
            var (lower, upper) = Vector256.Widen(packed);
            (lower << 16).CopyTo(output.Slice(i, Vector256<uint>.Count));
            (upper << 16).CopyTo(output.Slice(i + Vector256<uint>.Count, Vector256<uint>.Count));
        }
        for (; i < bits.Length; i++) output[i] = (uint)bits[i] << 16;
    }

    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        var output = MemoryMarshal.Cast<byte, ushort>(destination);
        for (var i = 0; i < source.Length; i++) output[i] = FromSingle(source[i]);
    }

    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) return (ushort)((bits >> 16) | 64);
        return (ushort)((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
    }
}
