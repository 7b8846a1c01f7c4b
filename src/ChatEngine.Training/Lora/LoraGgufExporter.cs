using System.Runtime.InteropServices;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;

namespace ChatEngine.Training.Lora;

/// <summary>
/// Writes an adapter in llama.cpp's LoRA GGUF format: general.type = adapter, general.architecture of the base,
/// adapter.type = lora, adapter.lora.alpha, and per adapted base tensor <c>NAME.lora_a</c> (ggml ne = [in, rank]) and
/// <c>NAME.lora_b</c> (ne = [rank, out]) in F32 or F16, so that W' = W + scale · (alpha / rank) · B A.
/// </summary>
public static class LoraGgufExporter
{
    public static void Write(string path, LoraAdapter adapter, string architecture, GgmlType type, string name = "chatengine-lora")
    {
        if (type is not (GgmlType.F32 or GgmlType.F16))
            throw new ArgumentException($"adapters are written as F32 or F16, not {type}", nameof(type));
        var metadata = new GgufMetadata();
        metadata.Set("general.architecture", new GgufValue(GgufValueType.String, architecture));
        metadata.Set("general.type", new GgufValue(GgufValueType.String, "adapter"));
        metadata.Set("general.name", new GgufValue(GgufValueType.String, name));
        metadata.Set("adapter.type", new GgufValue(GgufValueType.String, "lora"));
        metadata.Set("adapter.lora.alpha", new GgufValue(GgufValueType.Float32, adapter.Settings.Alpha));
        var tensors = new List<(GgufTensorDescriptor, float[])>();
        foreach (var pair in adapter.Pairs)
        {
            tensors.Add((new GgufTensorDescriptor(pair.BaseTensorName + ".lora_a", type, [pair.Inputs, pair.Rank]), pair.A));
            tensors.Add((new GgufTensorDescriptor(pair.BaseTensorName + ".lora_b", type, [pair.Rank, pair.Outputs]), pair.B));
        }
        WriteTensors(path, metadata, tensors);
    }

    /// <summary>Writes float tensors (F32 or F16 per descriptor) under <paramref name="metadata"/>, atomically.</summary>
    internal static void WriteTensors(string path, GgufMetadata metadata, IReadOnlyList<(GgufTensorDescriptor Tensor, float[] Values)> tensors) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new GgufWriter(stream, leaveOpen: true);
            writer.WriteHeader(metadata, tensors.Select(t => t.Tensor).ToList());
            foreach (var (tensor, values) in tensors)
            {
                if (tensor.Type == GgmlType.F32)
                {
                    writer.WriteTensorData(MemoryMarshal.AsBytes(values.AsSpan()));
                    continue;
                }
                var encoded = new byte[tensor.ByteSize];
                QuantFormats.Quantize(tensor.Type, values, encoded);
                writer.WriteTensorData(encoded);
            }
            writer.Finish();
        });
}
