using System.Runtime.InteropServices;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Model;
using ChatEngine.Training.Lora;

namespace ChatEngine.Training.Tests;

/// <summary>Test-side readers and a merger for llama.cpp-format LoRA adapters, written from the format description only.</summary>
internal static class AdapterFiles
{
    /// <summary>Loads an adapter GGUF into a <see cref="LoraAdapter"/> of the given rank and targets (values copied, F32 or F16).</summary>
    public static LoraAdapter Read(string path, ModelHyperParameters p, IReadOnlyList<LoraTarget> targets)
    {
        using var file = GgufFile.Open(path);
        var alpha = file.Metadata.GetFloat32("adapter.lora.alpha");
        var rank = (int)file.GetTensor(targets[0].TensorName(0) + ".lora_b").Dimensions[0];
        var adapter = LoraAdapter.Create(p, new LoraSettings(rank, alpha, 0, targets), seed: 0);
        foreach (var pair in adapter.Pairs)
        {
            Copy(file, pair.BaseTensorName + ".lora_a", pair.A);
            Copy(file, pair.BaseTensorName + ".lora_b", pair.B);
        }
        return adapter;
    }

    /// <summary>Writes <paramref name="basePath"/> with every adapted F32 weight replaced by W + scale · B A.</summary>
    public static void WriteMerged(string basePath, LoraAdapter adapter, string outputPath)
    {
        using var file = GgufFile.Open(basePath);
        var tensors = new List<(GgufTensorDescriptor, ReadOnlyMemory<byte>)>();
        foreach (var info in file.Tensors)
        {
            var bytes = file.TensorBytes(info).ToArray();
            var pair = adapter.Pairs.FirstOrDefault(p => p.BaseTensorName == info.Name);
            if (pair is not null)
            {
                if (info.Type != GgmlType.F32) throw new NotSupportedException("the test merger handles F32 bases only");
                var weight = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
                for (var o = 0; o < pair.Outputs; o++)
                for (var i = 0; i < pair.Inputs; i++)
                {
                    var delta = 0f;
                    for (var r = 0; r < pair.Rank; r++) delta += pair.B[o * pair.Rank + r] * pair.A[r * pair.Inputs + i];
                    weight[o * pair.Inputs + i] += adapter.Scale * delta;
                }
            }
            tensors.Add((GgufTensorDescriptor.From(info), bytes));
        }
        GgufWriter.Write(outputPath, file.Metadata, tensors);
    }

    private static void Copy(GgufFile file, string name, float[] destination)
    {
        var tensor = file.GetTensor(name);
        if (tensor.ElementCount != destination.Length)
            throw new InvalidOperationException($"{name} has {tensor.ElementCount} elements, expected {destination.Length}");
        QuantFormats.Dequantize(tensor.Type, file.TensorBytes(tensor), destination);
    }
}
