using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Model;
using ChatEngine.Runtime.Quantization;
using ChatEngine.Runtime.Sampling;

namespace ChatEngine.Runtime.Synthesis;

/// <summary>
/// Writes a random-weight GGUF with a real model's shapes and the metadata llama.cpp needs to load it, so both engines
/// can be timed on identical bytes. Every 2-D tensor gets the requested type (like <c>llama-quantize --pure</c>),
/// norms and biases stay F32. A K-quant that a tensor's row length does not allow falls back as llama.cpp's quantizer
/// does (<see cref="QuantizationRecipe.Fallback"/>).
/// </summary>
public static class SyntheticModelWriter
{
    public static void Write(string path, ModelShape shape, GgmlType type, ulong seed = 1, Action<string, double>? progress = null)
    {
        var tensors = Tensors(shape, type);
        var random = new GaussianSource(seed);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new GgufWriter(stream);
        writer.WriteHeader(Metadata(shape, type), tensors.Select(t => t.Descriptor).ToList());
        long total = tensors.Sum(t => t.Descriptor.ByteSize), written = 0;
        foreach (var (descriptor, scale, isNorm) in tensors)
        {
            var cols = (int)descriptor.Dimensions[0];
            var rows = (int)(descriptor.Dimensions.Length > 1 ? descriptor.Dimensions[1] : 1);
            var rowsPerChunk = Math.Max(1, (1 << 20) / cols);
            var values = new float[rowsPerChunk * cols];
            var rowBytes = (int)GgmlTypeInfo.RowBytes(descriptor.Type, cols);
            var bytes = new byte[rowBytes * rowsPerChunk];
            for (var row = 0; row < rows; row += rowsPerChunk)
            {
                var count = Math.Min(rowsPerChunk, rows - row);
                var chunk = values.AsSpan(0, count * cols);
                for (var i = 0; i < chunk.Length; i++) chunk[i] = isNorm ? 1f + 0.05f * random.NextGaussian() : scale * random.NextGaussian();
                var encoded = bytes.AsSpan(0, rowBytes * count);
                for (var r = 0; r < count; r++)
                    QuantFormats.Quantize(descriptor.Type, chunk.Slice(r * cols, cols), encoded.Slice(r * rowBytes, rowBytes));
                writer.WriteTensorPart(encoded);
                written += encoded.Length;
            }
            progress?.Invoke(descriptor.Name, (double)written / total);
        }
        writer.Finish();
    }

    private static List<(GgufTensorDescriptor Descriptor, float Scale, bool IsNorm)> Tensors(ModelShape s, GgmlType type)
    {
        var list = new List<(GgufTensorDescriptor, float, bool)>();
        void Matrix(string name, int cols, int rows) =>
            list.Add((new GgufTensorDescriptor(name, QuantizationRecipe.Fallback(type, cols), [cols, rows]), 1f / MathF.Sqrt(cols), false));
        void Vector(string name, int length, bool isNorm) =>
            list.Add((new GgufTensorDescriptor(name, GgmlType.F32, [length]), 0.1f, isNorm));

        var architecture = Architectures.Find(s.Architecture);
        var qSize = s.HeadCount * s.HeadSize;
        var kvSize = s.KvHeadCount * s.HeadSize;
        Matrix("token_embd.weight", s.EmbeddingSize, s.VocabSize);
        Vector("output_norm.weight", s.EmbeddingSize, isNorm: true);
        if (!s.TiedOutput) Matrix("output.weight", s.EmbeddingSize, s.VocabSize);
        for (var i = 0; i < s.LayerCount; i++)
        {
            var b = $"blk.{i}.";
            Vector(b + "attn_norm.weight", s.EmbeddingSize, isNorm: true);
            if (architecture.HasFusedProjections) Matrix(b + "attn_qkv.weight", s.EmbeddingSize, qSize + 2 * kvSize);
            else
            {
                Matrix(b + "attn_q.weight", s.EmbeddingSize, qSize);
                Matrix(b + "attn_k.weight", s.EmbeddingSize, kvSize);
                Matrix(b + "attn_v.weight", s.EmbeddingSize, kvSize);
            }
            if (architecture.HasQkvBias)
            {
                Vector(b + "attn_q.bias", qSize, isNorm: false);
                Vector(b + "attn_k.bias", kvSize, isNorm: false);
                Vector(b + "attn_v.bias", kvSize, isNorm: false);
            }
            if (architecture.HasQkNorm)
            {
                Vector(b + "attn_q_norm.weight", s.HeadSize, isNorm: true);
                Vector(b + "attn_k_norm.weight", s.HeadSize, isNorm: true);
            }
            Matrix(b + "attn_output.weight", qSize, s.EmbeddingSize);
            if (architecture.HasPostNorms) Vector(b + "post_attention_norm.weight", s.EmbeddingSize, isNorm: true);
            Vector(b + "ffn_norm.weight", s.EmbeddingSize, isNorm: true);
            if (architecture.HasFusedProjections) Matrix(b + "ffn_up.weight", s.EmbeddingSize, 2 * s.FeedForwardSize);
            else
            {
                Matrix(b + "ffn_gate.weight", s.EmbeddingSize, s.FeedForwardSize);
                Matrix(b + "ffn_up.weight", s.EmbeddingSize, s.FeedForwardSize);
            }
            Matrix(b + "ffn_down.weight", s.FeedForwardSize, s.EmbeddingSize);
            if (architecture.HasPostNorms) Vector(b + "post_ffw_norm.weight", s.EmbeddingSize, isNorm: true);
        }
        return list;
    }

    private static GgufMetadata Metadata(ModelShape s, GgmlType type)
    {
        var m = new GgufMetadata();
        void Str(string key, string value) => m.Set(key, new GgufValue(GgufValueType.String, value));
        void U32(string key, int value) => m.Set(key, new GgufValue(GgufValueType.UInt32, (uint)value));
        void F32(string key, float value) => m.Set(key, new GgufValue(GgufValueType.Float32, value));
        var a = s.Architecture;
        Str("general.architecture", a);
        Str("general.name", $"synthetic {s.Name} {type}");
        U32("general.file_type", (int)QuantizationType.OfPure(type).FileType);
        U32("general.quantization_version", 2);
        U32($"{a}.context_length", s.ContextLength);
        U32($"{a}.embedding_length", s.EmbeddingSize);
        U32($"{a}.block_count", s.LayerCount);
        U32($"{a}.feed_forward_length", s.FeedForwardSize);
        U32($"{a}.attention.head_count", s.HeadCount);
        U32($"{a}.attention.head_count_kv", s.KvHeadCount);
        if (s.KeyLength is { } keyLength)
        {
            U32($"{a}.attention.key_length", keyLength);
            U32($"{a}.attention.value_length", keyLength);
        }
        if (s.SlidingWindow is { } window) U32($"{a}.attention.sliding_window", window);
        U32($"{a}.rope.dimension_count", s.RotatedDimensions);
        F32($"{a}.rope.freq_base", s.RopeFrequencyBase);
        F32($"{a}.attention.layer_norm_rms_epsilon", s.RmsNormEpsilon);
        U32($"{a}.vocab_size", s.VocabSize);
        var (tokens, scores, types) = SyntheticSpmVocabulary(s.VocabSize);
        Str("tokenizer.ggml.model", "llama");
        m.Set("tokenizer.ggml.tokens", new GgufValue(GgufValueType.Array, new GgufArray(GgufValueType.String, tokens)));
        m.Set("tokenizer.ggml.scores", new GgufValue(GgufValueType.Array, new GgufArray(GgufValueType.Float32, scores)));
        m.Set("tokenizer.ggml.token_type", new GgufValue(GgufValueType.Array, new GgufArray(GgufValueType.Int32, types)));
        U32("tokenizer.ggml.unknown_token_id", 0);
        U32("tokenizer.ggml.bos_token_id", 1);
        U32("tokenizer.ggml.eos_token_id", 2);
        return m;
    }

    /// <summary>An SPM vocabulary of the requested size: unk, BOS, EOS, 256 byte tokens, then distinct filler pieces.</summary>
    private static (string[] Tokens, float[] Scores, int[] Types) SyntheticSpmVocabulary(int size)
    {
        const int normal = 1, unknown = 2, control = 3, byteToken = 6;
        var tokens = new string[size];
        var scores = new float[size];
        var types = new int[size];
        (tokens[0], types[0]) = ("<unk>", unknown);
        (tokens[1], types[1]) = ("<s>", control);
        (tokens[2], types[2]) = ("</s>", control);
        for (var b = 0; b < 256; b++) (tokens[3 + b], types[3 + b]) = ($"<0x{b:X2}>", byteToken);
        for (var i = 259; i < size; i++)
        {
            tokens[i] = $"\u2581t{i}";
            scores[i] = -i;
            types[i] = normal;
        }
        return (tokens, scores, types);
    }

    /// <summary>Normal deviates by Box–Muller over the seedable, machine-independent xoshiro256** generator.</summary>
    private sealed class GaussianSource(ulong seed)
    {
        private readonly Xoshiro256StarStar _uniform = new(seed);
        private float? _spare;

        public float NextGaussian()
        {
            if (_spare is float spare)
            {
                _spare = null;
                return spare;
            }
            var radius = Math.Sqrt(-2 * Math.Log(_uniform.NextDoubleOpenClosed()));
            var angle = 2 * Math.PI * _uniform.NextDoubleOpenClosed();
            _spare = (float)(radius * Math.Sin(angle));
            return (float)(radius * Math.Cos(angle));
        }
    }
}
