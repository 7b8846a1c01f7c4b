using ChatEngine.Gguf;
using ChatEngine.Kernels.Ops;

namespace ChatEngine.Runtime.Model;

/// <summary>Shape and numeric settings of a decoder-only transformer, read from GGUF metadata.</summary>
public sealed record ModelHyperParameters
{
    public required string Architecture { get; init; }
    public required int VocabSize { get; init; }
    public required int EmbeddingSize { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    public required int HeadSize { get; init; }
    public required int FeedForwardSize { get; init; }
    public required int TrainedContextLength { get; init; }
    public required int RopeDimensions { get; init; }
    public required float RopeFrequencyBase { get; init; }
    public required float RopeFrequencyScale { get; init; }
    public required RopeMode RopeMode { get; init; }
    public required float RmsNormEpsilon { get; init; }

    /// <summary>Factor on the token embeddings (√embedding for gemma3, else 1).</summary>
    public float EmbeddingScale { get; init; } = 1f;

    /// <summary>q is multiplied by <see cref="AttentionScale"/> before the attention instead of the scores after it.</summary>
    public bool ScalesQueries { get; init; }

    public float AttentionScale => 1f / MathF.Sqrt(HeadSize);

    public FeedForwardActivation Activation { get; init; } = FeedForwardActivation.SwiGlu;

    /// <summary>Keys a local layer's query sees: its own and the window − 1 before it; 0 where every layer is global.</summary>
    public int SlidingWindow { get; init; }

    /// <summary>Layer il is local iff il % pattern &lt; pattern − 1 (llama_hparams::set_swa_pattern).</summary>
    public int SlidingWindowPattern { get; init; }

    /// <summary>Rope base of the local layers (their rope frequencies are not scaled).</summary>
    public float LocalRopeFrequencyBase { get; init; }

    /// <summary>Experts of a mixture-of-experts feed-forward (expert_count), 0 without; each token runs <see cref="ExpertsUsed"/> of them.</summary>
    public int ExpertCount { get; init; }

    public int ExpertsUsed { get; init; }

    /// <summary>Hidden width of one expert (expert_feed_forward_length).</summary>
    public int ExpertFeedForwardSize { get; init; }

    public int KvSize => KvHeadCount * HeadSize;

    public bool IsLocalLayer(int layer) => SlidingWindow > 0 && layer % SlidingWindowPattern < SlidingWindowPattern - 1;

    /// <summary>How many of the keys before and at <paramref name="position"/> a query of <paramref name="layer"/> skips.</summary>
    public int FirstVisibleKey(int layer, int position) => IsLocalLayer(layer) ? Math.Max(0, position - SlidingWindow + 1) : 0;

    /// <summary>
    /// Largest embedding, feed-forward or vocabulary size accepted: the forward pass holds <see cref="Transformer.MaxBatch"/>
    /// rows of each in one array. Real models are far below it (vocabularies of 262144, embeddings of 16384).
    /// </summary>
    public const int MaxWidth = int.MaxValue / Transformer.MaxBatch;

    /// <summary>
    /// Reads the hyper-parameters for <paramref name="architecture"/>; a missing required key, or a value out of range
    /// or inconsistent with the others, is a <see cref="GgufFormatException"/> naming the key and the value.
    /// </summary>
    public static ModelHyperParameters FromMetadata(GgufMetadata metadata, ArchitectureDefinition architecture, int vocabSize)
    {
        var prefix = architecture.Name + ".";
        int Count(string key, uint max, uint? fallback = null)
        {
            var value = fallback is { } otherwise && !metadata.ContainsKey(prefix + key) ? otherwise : metadata.GetUInt32(prefix + key);
            if (value < 1 || value > max)
                throw new GgufFormatException($"{prefix}{key} is {value}, expected 1 to {max}", prefix + key);
            return (int)value;
        }
        if (vocabSize is < 1 or > MaxWidth)
            throw new GgufFormatException($"tokenizer.ggml.tokens has {vocabSize} entries, expected 1 to {MaxWidth}", "tokenizer.ggml.tokens");
        var embedding = Count("embedding_length", MaxWidth);
        var heads = Count("attention.head_count", (uint)embedding);
        var headSize = ReadHeadSize(metadata, prefix, embedding, heads);
        var kvHeads = Count("attention.head_count_kv", (uint)heads, fallback: (uint)heads);
        if (heads % kvHeads != 0)
            throw new GgufFormatException($"{prefix}attention.head_count_kv is {kvHeads}, which does not divide {prefix}attention.head_count {heads}", prefix + "attention.head_count_kv");
        var ropeDimensions = metadata.ContainsKey(prefix + "rope.dimension_count") ? metadata.GetUInt32(prefix + "rope.dimension_count") : (uint)headSize;
        if (ropeDimensions < 2 || ropeDimensions > headSize || ropeDimensions % 2 != 0)
            throw new GgufFormatException(
                $"{prefix}rope.dimension_count is {ropeDimensions}, expected an even number from 2 to the head size {headSize}", prefix + "rope.dimension_count");
        var (window, pattern) = ReadSlidingWindow(metadata, architecture, prefix);
        var (experts, expertsUsed, expertWidth) = architecture.HasExperts
            ? (Count("expert_count", 1 << 16), 0, Count("expert_feed_forward_length", MaxWidth))
            : (0, 0, 0);
        if (architecture.HasExperts) expertsUsed = Count("expert_used_count", (uint)experts);
        var scale = 1f;
        if (metadata.TryGetFloat32(prefix + "rope.scaling.factor", out var factor) && factor > 0) scale = 1f / factor;
        else if (metadata.TryGetFloat32(prefix + "rope.scale_linear", out var linear) && linear > 0) scale = 1f / linear;
        return new ModelHyperParameters
        {
            Architecture = architecture.Name,
            VocabSize = vocabSize,
            EmbeddingSize = embedding,
            LayerCount = Count("block_count", int.MaxValue),
            HeadCount = heads,
            KvHeadCount = kvHeads,
            HeadSize = headSize,
            FeedForwardSize = Count("feed_forward_length", MaxWidth),
            TrainedContextLength = Count("context_length", int.MaxValue),
            RopeDimensions = (int)ropeDimensions,
            RopeFrequencyBase = metadata.TryGetFloat32(prefix + "rope.freq_base", out var freqBase) ? freqBase : 10000f,
            RopeFrequencyScale = scale,
            RopeMode = architecture.RopeMode,
            RmsNormEpsilon = metadata.GetFloat32(prefix + "attention.layer_norm_rms_epsilon"),
            Activation = architecture.Activation,
            EmbeddingScale = architecture.ScalesEmbeddings ? MathF.Sqrt(embedding) : 1f,
            ScalesQueries = architecture.ScalesQueries,
            SlidingWindow = window,
            SlidingWindowPattern = pattern,
            LocalRopeFrequencyBase = metadata.TryGetFloat32(prefix + "rope.freq_base_swa", out var localBase) ? localBase : architecture.DefaultLocalRopeFrequencyBase,
            ExpertCount = experts,
            ExpertsUsed = expertsUsed,
            ExpertFeedForwardSize = expertWidth,
        };
    }

    /// <summary>
    /// attention.sliding_window and sliding_window_pattern for an architecture with local layers; (0, 0) for the others,
    /// which llama.cpp also runs with global attention whatever the file says.
    /// </summary>
    private static (int Window, int Pattern) ReadSlidingWindow(GgufMetadata metadata, ArchitectureDefinition architecture, string prefix)
    {
        if (architecture.DefaultSlidingWindowPattern is not { } defaultPattern) return (0, 0);
        var windowKey = prefix + "attention.sliding_window";
        var window = metadata.GetUInt32(windowKey);
        if (window is < 1 or > int.MaxValue) throw new GgufFormatException($"{windowKey} is {window}, expected 1 to {int.MaxValue}", windowKey);
        var patternKey = prefix + "attention.sliding_window_pattern";
        var pattern = metadata.ContainsKey(patternKey) ? metadata.GetUInt32(patternKey) : (uint)defaultPattern;
        if (pattern is < 1 or > int.MaxValue) throw new GgufFormatException($"{patternKey} is {pattern}, expected 1 to {int.MaxValue}", patternKey);
        return ((int)window, (int)pattern);
    }

    /// <summary>
    /// attention.key_length where the file has it (qwen3's heads are wider than embedding ÷ heads), else embedding ÷ heads.
    /// The attention keeps keys and values in one head size, so a different attention.value_length is an error.
    /// </summary>
    private static int ReadHeadSize(GgufMetadata metadata, string prefix, int embedding, int heads)
    {
        var keyLengthKey = prefix + "attention.key_length";
        if (!metadata.ContainsKey(keyLengthKey))
        {
            if (embedding % heads != 0)
                throw new GgufFormatException($"{prefix}attention.head_count is {heads}, which does not divide {prefix}embedding_length {embedding}", prefix + "attention.head_count");
            return embedding / heads;
        }
        var keyLength = metadata.GetUInt32(keyLengthKey);
        var max = (uint)(MaxWidth / heads);
        if (keyLength < 2 || keyLength > max)
            throw new GgufFormatException($"{keyLengthKey} is {keyLength}, expected 2 to {max} ({prefix}attention.head_count {heads} heads of it must fit)", keyLengthKey);
        var valueLengthKey = prefix + "attention.value_length";
        if (metadata.ContainsKey(valueLengthKey) && metadata.GetUInt32(valueLengthKey) is var valueLength && valueLength != keyLength)
            throw new GgufFormatException(
                $"{valueLengthKey} is {valueLength}, but {keyLengthKey} is {keyLength}: heads whose values differ in size from their keys are not supported", valueLengthKey);
        return (int)keyLength;
    }
}
