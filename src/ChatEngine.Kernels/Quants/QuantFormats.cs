using ChatEngine.Gguf;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// Dequantize / quantize rows of any supported <see cref="GgmlType"/> in ggml's exact block layouts. Quantizing
/// reproduces llama.cpp's reference quantizers (quantize_row_*_ref, what llama-quantize uses without an importance
/// matrix) byte for byte.
/// </summary>
public static class QuantFormats
{
    /// <summary>
    /// Decodes <paramref name="destination"/>.Length values of <paramref name="type"/> from <paramref name="source"/>,
    /// which must hold exactly that many values (a whole number of blocks).
    /// </summary>
    public static void Dequantize(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        CheckLengths(type, destination.Length, nameof(destination), source.Length, nameof(source));
        switch (type)
        {
            case GgmlType.F32: F32.Dequantize(source, destination); break;
            case GgmlType.F16: F16.Dequantize(source, destination); break;
            case GgmlType.BF16: BF16.Dequantize(source, destination); break;
            case GgmlType.Q4_0: Q4_0.Dequantize(source, destination); break;
            case GgmlType.Q4_1: Q4_1.Dequantize(source, destination); break;
            case GgmlType.Q5_0: Q5_0.Dequantize(source, destination); break;
            case GgmlType.Q5_1: Q5_1.Dequantize(source, destination); break;
            case GgmlType.Q8_0: Q8_0.Dequantize(source, destination); break;
            case GgmlType.Q8_1: Q8_1.Dequantize(source, destination); break;
            case GgmlType.Q2_K: Q2_K.Dequantize(source, destination); break;
            case GgmlType.Q3_K: Q3_K.Dequantize(source, destination); break;
            case GgmlType.Q4_K: Q4_K.Dequantize(source, destination); break;
            case GgmlType.Q5_K: Q5_K.Dequantize(source, destination); break;
            case GgmlType.Q6_K: Q6_K.Dequantize(source, destination); break;
            case GgmlType.Q8_K: Q8_K.Dequantize(source, destination); break;
            default: throw Unsupported(type);
        }
    }

    /// <summary>
    /// Encodes <paramref name="source"/> (a whole number of blocks) as <paramref name="type"/> into
    /// <paramref name="destination"/>, which must be exactly the encoded size.
    /// </summary>
    public static void Quantize(GgmlType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        CheckLengths(type, source.Length, nameof(source), destination.Length, nameof(destination));
        switch (type)
        {
            case GgmlType.F32: F32.Quantize(source, destination); break;
            case GgmlType.F16: F16.Quantize(source, destination); break;
            case GgmlType.BF16: BF16.Quantize(source, destination); break;
            case GgmlType.Q4_0: Q4_0.Quantize(source, destination); break;
            case GgmlType.Q4_1: Q4_1.Quantize(source, destination); break;
            case GgmlType.Q5_0: Q5_0.Quantize(source, destination); break;
            case GgmlType.Q5_1: Q5_1.Quantize(source, destination); break;
            case GgmlType.Q8_0: Q8_0.Quantize(source, destination); break;
            case GgmlType.Q8_1: Q8_1.Quantize(source, destination); break;
            case GgmlType.Q2_K: Q2_K.Quantize(source, destination); break;
            case GgmlType.Q3_K: Q3_K.Quantize(source, destination); break;
            case GgmlType.Q4_K: Q4_K.Quantize(source, destination); break;
            case GgmlType.Q5_K: Q5_K.Quantize(source, destination); break;
            case GgmlType.Q6_K: Q6_K.Quantize(source, destination); break;
            case GgmlType.Q8_K: Q8_K.Quantize(source, destination); break;
            default: throw Unsupported(type);
        }
    }

    private static void CheckLengths(GgmlType type, int values, string valuesName, int bytes, string bytesName)
    {
        if (!GgmlTypeInfo.IsSupported(type)) throw Unsupported(type);
        var blockSize = GgmlTypeInfo.BlockSize(type);
        if (values % blockSize != 0)
            throw new ArgumentException($"{values} values is not a whole number of {type} blocks of {blockSize}", valuesName);
        var expected = (long)values / blockSize * GgmlTypeInfo.BlockBytes(type);
        if (bytes != expected)
            throw new ArgumentException($"{values} {type} values take {expected} bytes, but the buffer has {bytes}", bytesName);
    }

    private static NotSupportedException Unsupported(GgmlType type) => new($"ggml type {type} ({(uint)type}) is not supported");
}
