using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Model;
using ChatEngine.Training.Lora;

namespace ChatEngine.Training.Tests;

/// <summary>Reads a llama.cpp-format LoRA adapter file into a trainable adapter (to run it through the training forward).</summary>
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

    private static void Copy(GgufFile file, string name, float[] destination)
    {
        var tensor = file.GetTensor(name);
        if (tensor.ElementCount != destination.Length)
            throw new InvalidOperationException($"{name} has {tensor.ElementCount} elements, expected {destination.Length}");
        QuantFormats.Dequantize(tensor.Type, file.TensorBytes(tensor), destination);
    }
}
