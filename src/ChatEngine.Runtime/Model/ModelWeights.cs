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
    float[]? KeyNorm = null,
    float[]? PostAttentionNorm = null,
    float[]? PostFeedForwardNorm = null)
{
    /// <summary>A mixture-of-experts feed-forward in place of Gate / Up / Down (which are then empty), or null.</summary>
    public ExpertWeights? Experts { get; init; }
}

/// <summary>
/// A mixture-of-experts feed-forward (llama.cpp's build_moe_ffn): the router (ffn_gate_inp) scores the experts, each
/// token runs the <see cref="Used"/> best; expert e's matrices are slice e of the 3-D ffn_{gate,up,down}_exps tensors.
/// </summary>
public sealed record ExpertWeights(WeightMatrix Router, WeightMatrix[] Gate, WeightMatrix[] Up, WeightMatrix[] Down, int Used);

/// <summary>
/// All weights of a decoder-only model, validated against its hyper-parameters. The matrices multiplied by
/// activations (every layer's and the output's) carry a repacked copy where their type has one
/// (<see cref="InterleavedWeights"/>); the token embedding, read row by row, stays in the file's layout.
/// </summary>
public sealed record ModelWeights(WeightMatrix TokenEmbedding, LayerWeights[] Layers, float[] OutputNorm, WeightMatrix Output)
{
    /// <summary>llama 3's rope scaling: pair i's frequency is divided by factor i (<c>rope_freqs.weight</c>); null when the file has none.</summary>
    public float[]? RopeFrequencyFactors { get; private init; }

    /// <summary>Every matrix above by its GGUF tensor name (what LoRA adapters are matched against).</summary>
    public IReadOnlyDictionary<string, WeightMatrix> Matrices { get; private init; } = new Dictionary<string, WeightMatrix>();

    /// <summary>Bytes of weights one decoded token reads: every layer's matrices and the output matrix (the norms and one embedding row are left out).</summary>
    public long BytesReadPerToken =>
        Layers.Sum(l => Bytes(l.Query) + Bytes(l.Key) + Bytes(l.Value) + Bytes(l.AttentionOutput) + Bytes(l.Gate) + Bytes(l.Up) + Bytes(l.Down)
            + (l.Experts is { } e ? Bytes(e.Router) + e.Used * (Bytes(e.Gate[0]) + Bytes(e.Up[0]) + Bytes(e.Down[0])) : 0)) + Bytes(Output);

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
        var qSize = p.HeadCount * p.HeadSize;
        var ff = p.FeedForwardSize;
        var layers = new LayerWeights[p.LayerCount];
        for (var i = 0; i < layers.Length; i++)
        {
            var b = $"blk.{i}.";
            WeightMatrix query, key, value, gate = default, up = default, down = default;
            ExpertWeights? experts = null;
            if (architecture.HasFusedProjections)
            {
                var qkv = LoadMatrix(file, b + "attn_qkv.weight", qSize + 2 * p.KvSize, embd);
                query = Interleave(file, Rows(qkv, 0, qSize), interleaved);
                key = Interleave(file, Rows(qkv, qSize, p.KvSize), interleaved);
                value = Interleave(file, Rows(qkv, qSize + p.KvSize, p.KvSize), interleaved);
                var gateUp = LoadMatrix(file, b + "ffn_up.weight", 2 * ff, embd);
                gate = Interleave(file, Rows(gateUp, 0, ff), interleaved);
                up = Interleave(file, Rows(gateUp, ff, ff), interleaved);
            }
            else
            {
                query = Matrix(b + "attn_q.weight", qSize, embd);
                key = Matrix(b + "attn_k.weight", p.KvSize, embd);
                value = Matrix(b + "attn_v.weight", p.KvSize, embd);
                if (architecture.HasExperts) experts = LoadExperts(file, b, p, interleaved);
                else
                {
                    gate = Matrix(b + "ffn_gate.weight", ff, embd);
                    up = Matrix(b + "ffn_up.weight", ff, embd);
                }
            }
            if (!architecture.HasExperts) down = Matrix(b + "ffn_down.weight", embd, ff);
            float[]? Optional(bool present, string name, int length) => present ? Vector(file, b + name, length) : null;
            layers[i] = new LayerWeights(
                Vector(file, b + "attn_norm.weight", embd),
                query,
                key,
                value,
                Optional(architecture.HasQkvBias, "attn_q.bias", qSize),
                Optional(architecture.HasQkvBias, "attn_k.bias", p.KvSize),
                Optional(architecture.HasQkvBias, "attn_v.bias", p.KvSize),
                Matrix(b + "attn_output.weight", embd, qSize),
                Vector(file, b + "ffn_norm.weight", embd),
                gate,
                up,
                down,
                Optional(architecture.HasQkNorm, "attn_q_norm.weight", p.HeadSize),
                Optional(architecture.HasQkNorm, "attn_k_norm.weight", p.HeadSize),
                Optional(architecture.HasPostNorms, "post_attention_norm.weight", embd),
                Optional(architecture.HasPostNorms, "post_ffw_norm.weight", embd)) { Experts = experts };
        }
        if (file.TryGetTensor("rope_factors_long.weight", out _) || file.TryGetTensor("rope_factors_short.weight", out _))
            throw new NotSupportedException($"{p.Architecture} with LongRoPE factors (rope_factors_long/short.weight) is not supported yet");
        var embedding = matrices["token_embd.weight"] = LoadMatrix(file, "token_embd.weight", p.VocabSize, embd);
        var output = file.TryGetTensor("output.weight", out _) ? Matrix("output.weight", p.VocabSize, embd) : Interleave(file, embedding, interleaved);
        var ropeFactors = file.TryGetTensor("rope_freqs.weight", out _) ? Vector(file, "rope_freqs.weight", p.RopeDimensions / 2) : null;
        return new ModelWeights(embedding, layers, Vector(file, "output_norm.weight", embd), output) { Matrices = matrices, RopeFrequencyFactors = ropeFactors };
    }

    /// <summary>The matrix with its repacked copy, if its type has one; the file's pages it was copied from leave memory as it goes.</summary>
    private static WeightMatrix Interleave(GgufFile file, WeightMatrix matrix, InterleavedWeights interleaved) =>
        interleaved.Interleave(matrix, file.ReleaseResidentPages);

    /// <summary>Rows [first, first + count) of a fused matrix, used in place; not adaptable by LoRA, which names whole tensors.</summary>
    private static unsafe WeightMatrix Rows(in WeightMatrix fused, int first, int count) =>
        new(fused.Type, fused.Data + (long)first * fused.RowBytes, count, fused.Cols);

    /// <summary>Layer <paramref name="b"/>'s router and experts; each expert's slice of a 3-D tensor is an ordinary (repacked) matrix.</summary>
    private static unsafe ExpertWeights LoadExperts(GgufFile file, string b, ModelHyperParameters p, InterleavedWeights interleaved)
    {
        var (count, ff, embd) = (p.ExpertCount, p.ExpertFeedForwardSize, p.EmbeddingSize);
        WeightMatrix[] Slices(string name, int rows, int cols)
        {
            var tensor = file.GetTensor(b + name);
            if (tensor.Dimensions.Length != 3 || tensor.Dimensions[0] != cols || tensor.Dimensions[1] != rows || tensor.Dimensions[2] != count)
                throw new GgufFormatException(
                    $"tensor '{b + name}' has shape [{string.Join(", ", tensor.Dimensions)}], expected [{cols}, {rows}, {count}] from the model's hyper-parameters");
            var all = new WeightMatrix(tensor.Type, file.TensorData(tensor), count * rows, cols);
            return Enumerable.Range(0, count).Select(e => Interleave(file, Rows(all, e * rows, rows), interleaved)).ToArray();
        }
        return new ExpertWeights(
            LoadMatrix(file, b + "ffn_gate_inp.weight", count, embd),
            Slices("ffn_gate_exps.weight", ff, embd),
            Slices("ffn_up_exps.weight", ff, embd),
            Slices("ffn_down_exps.weight", embd, ff),
            p.ExpertsUsed);
    }

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
