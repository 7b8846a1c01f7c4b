using ChatEngine.Gguf;
using ChatEngine.Kernels;

namespace ChatEngine.Runtime.Lora;

/// <summary>
/// A LoRA adapter in llama.cpp's GGUF format (<c>general.type = adapter</c>, <c>adapter.type = lora</c>,
/// <c>adapter.lora.alpha</c>, tensors <c>&lt;base&gt;.lora_a</c> / <c>&lt;base&gt;.lora_b</c>), mapped and validated
/// against one base model. Its matrices are used in place; applying it never changes the base weights.
/// </summary>
public sealed class LoraAdapter : IDisposable
{
    private const string SuffixA = ".lora_a";
    private const string SuffixB = ".lora_b";
    private static readonly GgmlType[] SupportedTypes = [GgmlType.F32, GgmlType.F16, GgmlType.BF16];

    private readonly GgufFile _file;

    private LoraAdapter(GgufFile file, string path, float alpha, IReadOnlyList<LoraWeight> weights)
    {
        _file = file;
        Path = path;
        Alpha = alpha;
        Weights = weights;
        Name = file.Metadata.TryGetString("general.name", out var name) ? name : System.IO.Path.GetFileNameWithoutExtension(path);
    }

    public string Path { get; }
    public string Name { get; }

    /// <summary><c>adapter.lora.alpha</c>; 0 (absent) means the scale is used without the alpha / rank factor.</summary>
    public float Alpha { get; }
    public IReadOnlyList<LoraWeight> Weights { get; }

    /// <summary>
    /// Maps <paramref name="path"/> and checks it fits <paramref name="model"/>: adapter metadata, architecture, every
    /// tensor paired and named after a base matrix, shapes and types. Any problem is a <see cref="LoraAdapterException"/>.
    /// </summary>
    public static LoraAdapter Load(string path, LanguageModel model)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"LoRA adapter file '{path}' does not exist", path);
        GgufFile file;
        try
        {
            file = GgufFile.Open(path);
        }
        catch (GgufFormatException e)
        {
            throw new LoraAdapterException(path, $"not a readable GGUF file: {e.Message}", inner: e);
        }
        try
        {
            var alpha = CheckMetadata(file, path, model.Metadata.GetString("general.architecture"));
            return new LoraAdapter(file, path, alpha, PairTensors(file, path, model.Weights.Matrices));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static float CheckMetadata(GgufFile file, string path, string architecture)
    {
        var metadata = file.Metadata;
        string Require(string key, string expected)
        {
            if (!metadata.TryGetString(key, out var value)) throw new LoraAdapterException(path, $"metadata '{key}' is missing (expected '{expected}')");
            if (value != expected) throw new LoraAdapterException(path, $"metadata '{key}' is '{value}', expected '{expected}'");
            return value;
        }
        Require("general.type", "adapter");
        Require("adapter.type", "lora");
        Require("general.architecture", architecture);
        if (!metadata.ContainsKey("adapter.lora.alpha")) return 0;
        return metadata.TryGetFloat32("adapter.lora.alpha", out var alpha) && float.IsFinite(alpha)
            ? alpha
            : throw new LoraAdapterException(path, $"metadata 'adapter.lora.alpha' must be a finite float, got {metadata["adapter.lora.alpha"]}");
    }

    private static unsafe List<LoraWeight> PairTensors(GgufFile file, string path, IReadOnlyDictionary<string, WeightMatrix> baseMatrices)
    {
        var byName = file.Tensors.ToDictionary(t => t.Name);
        var weights = new List<LoraWeight>();
        foreach (var a in file.Tensors)
        {
            if (a.Name.EndsWith(SuffixB, StringComparison.Ordinal)) continue;
            if (!a.Name.EndsWith(SuffixA, StringComparison.Ordinal))
                throw new LoraAdapterException(path, $"tensor '{a.Name}' is neither a '{SuffixA}' nor a '{SuffixB}' tensor", a.Name);
            var baseName = a.Name[..^SuffixA.Length];
            if (!byName.TryGetValue(baseName + SuffixB, out var b))
                throw new LoraAdapterException(path, $"tensor '{a.Name}' has no matching '{baseName}{SuffixB}'", a.Name);
            if (!baseMatrices.TryGetValue(baseName, out var target))
                throw new LoraAdapterException(path, $"tensor '{a.Name}' adapts '{baseName}', which is not a weight matrix of the base model", a.Name);
            var isEmbedding = baseName == LoraWeight.EmbeddingName;
            CheckShapes(path, a, b, target, isEmbedding);
            var matrixA = new WeightMatrix(a.Type, file.TensorData(a), (int)a.Dimensions[1], (int)a.Dimensions[0]);
            var matrixB = new WeightMatrix(b.Type, file.TensorData(b), (int)b.Dimensions[1], (int)b.Dimensions[0]);
            weights.Add(new LoraWeight(baseName, target, matrixA, matrixB, isEmbedding));
        }
        foreach (var b in file.Tensors.Where(t => t.Name.EndsWith(SuffixB, StringComparison.Ordinal)))
        {
            if (!byName.ContainsKey(b.Name[..^SuffixB.Length] + SuffixA))
                throw new LoraAdapterException(path, $"tensor '{b.Name}' has no matching '{b.Name[..^SuffixB.Length]}{SuffixA}'", b.Name);
        }
        if (weights.Count == 0) throw new LoraAdapterException(path, "the adapter has no LoRA tensors");
        return weights;
    }

    /// <summary>
    /// The checks llama.cpp makes, worded for a person. In ggml order W is [cols, rows], A [cols, rank], B [rank, rows];
    /// for the embedding llama.cpp reads A by token id, so there A is [rank, vocab] and B [rank, embd].
    /// </summary>
    private static void CheckShapes(string path, GgufTensorInfo a, GgufTensorInfo b, WeightMatrix target, bool isEmbedding)
    {
        foreach (var t in (GgufTensorInfo[])[a, b])
        {
            if (t.Dimensions.Length != 2)
                throw new LoraAdapterException(path, $"tensor '{t.Name}' has {t.Dimensions.Length} dimensions, expected 2", t.Name);
            if (!SupportedTypes.Contains(t.Type))
                throw new LoraAdapterException(path, $"tensor '{t.Name}' has type {t.Type}; supported LoRA tensor types: {string.Join(", ", SupportedTypes)}", t.Name);
        }
        var baseShape = $"[{target.Cols}, {target.Rows}]";
        void Expect(GgufTensorInfo t, int dimension, long expected, string what)
        {
            if (t.Dimensions[dimension] != expected)
                throw new LoraAdapterException(path,
                    $"tensor '{t.Name}' has shape [{string.Join(", ", t.Dimensions)}]: ne[{dimension}] must be {expected} ({what} of the base matrix {baseShape})", t.Name);
        }
        var (rankA, rankB) = isEmbedding ? (a.Dimensions[0], b.Dimensions[0]) : (a.Dimensions[1], b.Dimensions[0]);
        if (isEmbedding)
        {
            Expect(a, 1, target.Rows, "the vocabulary size");
            Expect(b, 1, target.Cols, "the embedding size");
        }
        else
        {
            Expect(a, 0, target.Cols, "the input size");
            Expect(b, 1, target.Rows, "the output size");
        }
        if (rankA != rankB || rankB < 1)
            throw new LoraAdapterException(path, $"tensors '{a.Name}' and '{b.Name}' disagree on the rank ({rankA} vs {rankB}): " +
                $"shapes [{string.Join(", ", a.Dimensions)}] and [{string.Join(", ", b.Dimensions)}]", a.Name);
    }

    public override string ToString() => $"{Name} ({Weights.Count} matrices, alpha {Alpha})";

    public void Dispose() => _file.Dispose();
}
