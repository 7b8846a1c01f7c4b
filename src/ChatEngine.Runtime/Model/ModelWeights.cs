using ChatEngine.Gguf;
using ChatEngine.Kernels;
using ChatEngine.Kernels.Quants;

namespace ChatEngine.Runtime.Model;

/// <summary>One transformer block's weights; matrices point into the mapped file.</summary>
public sealed record LayerWeights(
    float[] AttentionNorm,
    WeightMatrix Query,
    WeightMatrix Key,
    WeightMatrix Value,
    float[]? QueryBias,
    float[]? KeyBias,
    float[]? ValueBias,
    WeightMatrix AttentionOutput,
    float[] FeedForwardNorm,
    WeightMatrix Gate,
    WeightMatrix Up,
    WeightMatrix Down,
    float[]? QueryNorm = null,
    float[]? KeyNorm = null);

/// <summary>
/// All weights of a decoder-only model, validated against its hyper-parameters. The matrices multiplied by
/// activations (every layer's and the output's) carry a repacked copy where their type has one
/// (<see cref="InterleavedWeights"/>); the token embedding, read row by row, stays in the file's layout.
/// </summary>
public sealed record ModelWeights(WeightMatrix TokenEmbedding, LayerWeights[] Layers, float[] OutputNorm, WeightMatrix Output)
{
    /// <summary>Every matrix above by its GGUF tensor name (what LoRA adapters are matched against).</summary>
    public IReadOnlyDictionary<string, WeightMatrix> Matrices { get; private init; } = new Dictionary<string, WeightMatrix>();

    /// <summary>Bytes of weights one decoded token reads: every layer's matrices and the output matrix (the norms and one embedding row are left out).</summary>
    public long BytesReadPerToken =>
        Layers.Sum(l => Bytes(l.Query) + Bytes(l.Key) + Bytes(l.Value) + Bytes(l.AttentionOutput) + Bytes(l.Gate) + Bytes(l.Up) + Bytes(l.Down)) + Bytes(Output);

    private static long Bytes(in WeightMatrix m) => (long)m.RowBytes * m.Rows;

    public static ModelWeights Load(GgufFile file, ModelHyperParameters p, ArchitectureDefinition architecture, InterleavedWeights interleaved)
    {
        var matrices = new Dictionary<string, WeightMatrix>();
        WeightMatrix Matrix(string name, int rows, int cols) => matrices[name] = Interleave(file, LoadMatrix(file, name, rows, cols), interleaved);
        var tensorsPerLayer = architecture.TensorsPerLayer;
        if (p.LayerCount > file.Tensors.Count / tensorsPerLayer)
            throw new GgufFormatException(
                $"{p.Architecture}.block_count is {p.LayerCount}, but the file has {file.Tensors.Count} tensors, not {tensorsPerLayer} per layer",
                p.Architecture + ".block_count");
        var embd = p.EmbeddingSize;
        var layers = new LayerWeights[p.LayerCount];
        for (var i = 0; i < layers.Length; i++)
        {
            var b = $"blk.{i}.";
            layers[i] = new LayerWeights(
                Vector(file, b + "attn_norm.weight", embd),
                Matrix(b + "attn_q.weight", p.HeadCount * p.HeadSize, embd),
                Matrix(b + "attn_k.weight", p.KvSize, embd),
                Matrix(b + "attn_v.weight", p.KvSize, embd),
                architecture.HasQkvBias ? Vector(file, b + "attn_q.bias", p.HeadCount * p.HeadSize) : null,
                architecture.HasQkvBias ? Vector(file, b + "attn_k.bias", p.KvSize) : null,
                architecture.HasQkvBias ? Vector(file, b + "attn_v.bias", p.KvSize) : null,
                Matrix(b + "attn_output.weight", embd, p.HeadCount * p.HeadSize),
                Vector(file, b + "ffn_norm.weight", embd),
                Matrix(b + "ffn_gate.weight", p.FeedForwardSize, embd),
                Matrix(b + "ffn_up.weight", p.FeedForwardSize, embd),
                Matrix(b + "ffn_down.weight", embd, p.FeedForwardSize),
                architecture.HasQkNorm ? Vector(file, b + "attn_q_norm.weight", p.HeadSize) : null,
                architecture.HasQkNorm ? Vector(file, b + "attn_k_norm.weight", p.HeadSize) : null);
        }
        var embedding = matrices["token_embd.weight"] = LoadMatrix(file, "token_embd.weight", p.VocabSize, embd);
        var output = file.TryGetTensor("output.weight", out _) ? Matrix("output.weight", p.VocabSize, embd) : Interleave(file, embedding, interleaved);
        return new ModelWeights(embedding, layers, Vector(file, "output_norm.weight", embd), output) { Matrices = matrices };
    }

    /// <summary>The matrix with its repacked copy, if its type has one; the file's pages it was copied from leave memory as it goes.</summary>
    private static WeightMatrix Interleave(GgufFile file, WeightMatrix matrix, InterleavedWeights interleaved) =>
        interleaved.Interleave(matrix, file.ReleaseResidentPages);

    private static unsafe WeightMatrix LoadMatrix(GgufFile file, string name, int rows, int cols)
    {
        var tensor = file.GetTensor(name);
        if (tensor.Dimensions.Length != 2 || tensor.Dimensions[0] != cols || tensor.Dimensions[1] != rows)
            throw new GgufFormatException(
                $"tensor '{name}' has shape [{string.Join(", ", tensor.Dimensions)}], expected [{cols}, {rows}] from the model's hyper-parameters");
        return new WeightMatrix(tensor.Type, file.TensorData(tensor), rows, cols);
    }

    private static float[] Vector(GgufFile file, string name, int length)
    {
        var tensor = file.GetTensor(name);
        if (tensor.ElementCount != length)
            throw new GgufFormatException($"tensor '{name}' has {tensor.ElementCount} elements, expected {length}");
        var values = new float[length];
        QuantFormats.Dequantize(tensor.Type, file.TensorBytes(tensor), values);
        return values;
    }
}
