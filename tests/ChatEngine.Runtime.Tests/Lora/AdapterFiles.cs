using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Synthesis;

namespace ChatEngine.Runtime.Tests.Lora;

/// <summary>One tensor held in memory, to be written into a test GGUF.</summary>
internal sealed record TensorData(string Name, GgmlType Type, long[] Dimensions, byte[] Bytes);

/// <summary>
/// Builds the GGUF files the LoRA tests need in a temporary folder (deleted on dispose): variants of a real adapter
/// with one thing broken, random adapters for any base, and a tiny random F32 base model.
/// </summary>
internal sealed class AdapterFiles : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatengine-lora-").FullName;
    private int _count;

    /// <summary>A 2-layer llama with every matrix F32 (64 embd, GQA 4/2, 128 ff, 300 tokens) and a separate output.</summary>
    public static readonly ModelShape TinyShape = new("tiny-lora-test", "llama", 64, 2, 4, 2, 128, 300, TiedOutput: false, 10000f, 1e-5f, 256);

    public string NewPath() => Path.Combine(_folder, $"file{_count++}.gguf");

    public string WriteTinyModel()
    {
        var path = NewPath();
        SyntheticModelWriter.Write(path, TinyShape, GgmlType.F32, seed: 7);
        return path;
    }

    public static (GgufMetadata Metadata, List<TensorData> Tensors) Read(string path)
    {
        using var file = GgufFile.Open(path);
        var metadata = new GgufMetadata(file.Metadata);
        return (metadata, file.Tensors.Select(t => new TensorData(t.Name, t.Type, t.Dimensions, file.TensorBytes(t).ToArray())).ToList());
    }

    public string Write(GgufMetadata metadata, IEnumerable<TensorData> tensors)
    {
        var path = NewPath();
        GgufWriter.Write(path, metadata, tensors.Select(t => (new GgufTensorDescriptor(t.Name, t.Type, t.Dimensions), (ReadOnlyMemory<byte>)t.Bytes)).ToList());
        return path;
    }

    public static GgufMetadata AdapterMetadata(string architecture, float alpha)
    {
        var metadata = new GgufMetadata();
        metadata.Set("general.architecture", new GgufValue(GgufValueType.String, architecture));
        metadata.Set("general.type", new GgufValue(GgufValueType.String, "adapter"));
        metadata.Set("adapter.type", new GgufValue(GgufValueType.String, "lora"));
        metadata.Set("adapter.lora.alpha", new GgufValue(GgufValueType.Float32, alpha));
        return metadata;
    }

    /// <summary>A tensor of normal deviates with standard deviation <paramref name="std"/>, stored as <paramref name="type"/>.</summary>
    public static TensorData Random(string name, GgmlType type, long[] dimensions, float std, Random random)
    {
        var values = new float[dimensions.Aggregate(1L, (n, d) => n * d)];
        for (var i = 0; i < values.Length; i++)
            values[i] = std * MathF.Sqrt(-2 * MathF.Log(1 - random.NextSingle())) * MathF.Cos(2 * MathF.PI * random.NextSingle());
        var bytes = new byte[GgmlTypeInfo.RowBytes(type, dimensions[0]) * (values.Length / dimensions[0])];
        QuantFormats.Quantize(type, values, bytes);
        return new TensorData(name, type, dimensions, bytes);
    }

    /// <summary>A LoRA pair for a base matrix of ggml shape [cols, rows] (flipped for the embedding, as llama.cpp stores it).</summary>
    public static IEnumerable<TensorData> Pair(string baseName, long cols, long rows, int rank, Random random, GgmlType type = GgmlType.F32)
    {
        var embedding = baseName == "token_embd.weight";
        yield return Random(baseName + ".lora_a", type, embedding ? [rank, rows] : [cols, rank], 1 / MathF.Sqrt(cols), random);
        yield return Random(baseName + ".lora_b", type, embedding ? [rank, cols] : [rank, rows], 0.5f / MathF.Sqrt(rank), random);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
