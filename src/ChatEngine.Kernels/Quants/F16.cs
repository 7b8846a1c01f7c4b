using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ChatEngine.Kernels.Quants;

/// <summary>IEEE binary16 elements (ggml_fp16_t), converted with round-to-nearest-even like ggml_fp32_to_fp16_row.</summary>
internal static class F16
{
    public static void Dequantize(ReadOnlySpan<byte> source, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);

    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination) =>
        TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
}
