using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;

namespace ChatEngine.Runtime.Quantization;

/// <summary>What <see cref="ModelQuantizer.Quantize"/> wrote: how many tensors of each type, and the file sizes.</summary>
public sealed record QuantizationResult(IReadOnlyDictionary<GgmlType, int> TensorTypes, long InputBytes, long OutputBytes);

/// <summary>
/// Writes an F32/F16/BF16 GGUF model as another <see cref="QuantizationType"/> the way llama-quantize does: the same
/// metadata with llama.cpp's <c>general.quantization_version</c> and <c>general.file_type</c>, tensors in its order,
/// each typed by <see cref="QuantizationRecipe"/> and encoded by the reference quantizers.
/// </summary>
public static class ModelQuantizer
{
    /// <summary>ggml's GGML_QNT_VERSION, the block-layout revision llama.cpp records in every file it quantizes.</summary>
    private const uint QuantizationVersion = 2;

    private const int ValuesPerChunk = 1 << 20;

    /// <param name="progress">called after each tensor with its name and the fraction of all values done</param>
    /// <exception cref="NotSupportedException">when the input holds tensors that are already quantized</exception>
    /// <exception cref="IOException">when <paramref name="outputPath"/> exists and <paramref name="overwrite"/> is false</exception>
    public static QuantizationResult Quantize(string inputPath, string outputPath, QuantizationType type, bool pure = false,
        bool overwrite = false, Action<string, double>? progress = null)
    {
        if (Path.GetFullPath(inputPath) == Path.GetFullPath(outputPath))
            throw new ArgumentException("the output must be a different file from the input", nameof(outputPath));
        if (!overwrite && File.Exists(outputPath)) throw new IOException($"{outputPath} already exists");
        using var input = GgufFile.Open(inputPath);
        if (input.Tensors.FirstOrDefault(t => !IsFloat(t.Type)) is { } quantized)
            throw new NotSupportedException($"{inputPath} is not an F32, F16 or BF16 model: tensor {quantized.Name} is {quantized.Type} (requantizing loses precision twice; start from the unquantized model)");

        var tensors = QuantizationRecipe.WriteOrder(input.Tensors);
        var recipe = new QuantizationRecipe(type, pure, input.Metadata, tensors);
        var outputs = tensors.Select(t => new GgufTensorDescriptor(t.Name, recipe.TypeOf(t), t.Dimensions)).ToList();
        var partial = outputPath + ".part";
        try
        {
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            using (var writer = new GgufWriter(stream))
            {
                writer.WriteHeader(Metadata(input.Metadata, type), outputs);
                long total = tensors.Sum(t => t.ElementCount), done = 0;
                for (var i = 0; i < tensors.Count; i++)
                {
                    WriteTensor(writer, input, tensors[i], outputs[i].Type);
                    done += tensors[i].ElementCount;
                    progress?.Invoke(tensors[i].Name, (double)done / total);
                }
                writer.Finish();
            }
            File.Move(partial, outputPath, overwrite);
        }
        finally
        {
            File.Delete(partial);
        }
        var counts = outputs.GroupBy(t => t.Type).ToDictionary(g => g.Key, g => g.Count());
        return new QuantizationResult(counts, new FileInfo(inputPath).Length, new FileInfo(outputPath).Length);
    }

    private static bool IsFloat(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16;

    private static GgufMetadata Metadata(GgufMetadata source, QuantizationType type)
    {
        var metadata = new GgufMetadata(source);
        // llama.cpp sets these two last, so they move to the end of the key list.
        metadata.Remove("general.quantization_version");
        metadata.Remove("general.file_type");
        metadata.Set("general.quantization_version", new GgufValue(GgufValueType.UInt32, QuantizationVersion));
        metadata.Set("general.file_type", new GgufValue(GgufValueType.UInt32, type.FileType));
        return metadata;
    }

    /// <summary>Reads the mapping a chunk of rows at a time: a tensor can be larger than one span can hold.</summary>
    private static unsafe void WriteTensor(GgufWriter writer, GgufFile input, GgufTensorInfo tensor, GgmlType type)
    {
        var columns = (int)tensor.Dimensions[0];
        var rows = tensor.Rows;
        var sourceRowBytes = (int)GgmlTypeInfo.RowBytes(tensor.Type, columns);
        var rowBytes = (int)GgmlTypeInfo.RowBytes(type, columns);
        var rowsPerChunk = Math.Max(1, ValuesPerChunk / columns);
        var values = new float[rowsPerChunk * columns];
        var encoded = new byte[rowsPerChunk * rowBytes];
        var data = input.TensorData(tensor);
        for (long first = 0; first < rows; first += rowsPerChunk)
        {
            var count = (int)Math.Min(rowsPerChunk, rows - first);
            var chunk = new ReadOnlySpan<byte>(data + first * sourceRowBytes, count * sourceRowBytes);
            if (type == tensor.Type)
            {
                writer.WriteTensorPart(chunk);
                continue;
            }
            QuantFormats.Dequantize(tensor.Type, chunk, values.AsSpan(0, count * columns));
            Parallel.For(0, count, row => QuantFormats.Quantize(type, values.AsSpan(row * columns, columns), encoded.AsSpan(row * rowBytes, rowBytes)));
            writer.WriteTensorPart(encoded.AsSpan(0, count * rowBytes));
        }
    }
}
