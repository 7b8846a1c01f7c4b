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

    public int KvSize => KvHeadCount * HeadSize;

    /// <summary>Reads the hyper-parameters for <paramref name="architecture"/>; a missing required key names it.</summary>
    public static ModelHyperParameters FromMetadata(GgufMetadata metadata, ArchitectureDefinition architecture, int vocabSize)
    {
        var prefix = architecture.Name + ".";
        int Required(string key) => checked((int)metadata.GetUInt32(prefix + key));
        var embedding = Required("embedding_length");
        var heads = Required("attention.head_count");
        if (heads <= 0 || embedding % heads != 0)
            throw new GgufFormatException($"{prefix}attention.head_count {heads} does not divide embedding_length {embedding}");
        var kvHeads = metadata.TryGetUInt32(prefix + "attention.head_count_kv", out var kv) ? (int)kv : heads;
        if (kvHeads <= 0 || heads % kvHeads != 0)
            throw new GgufFormatException($"{prefix}attention.head_count_kv {kvHeads} does not divide head_count {heads}");
        var headSize = embedding / heads;
        var scale = 1f;
        if (metadata.TryGetFloat32(prefix + "rope.scaling.factor", out var factor) && factor > 0) scale = 1f / factor;
        else if (metadata.TryGetFloat32(prefix + "rope.scale_linear", out var linear) && linear > 0) scale = 1f / linear;
        return new ModelHyperParameters
        {
            Architecture = architecture.Name,
            VocabSize = vocabSize,
            EmbeddingSize = embedding,
            LayerCount = Required("block_count"),
            HeadCount = heads,
            KvHeadCount = kvHeads,
            HeadSize = headSize,
            FeedForwardSize = Required("feed_forward_length"),
            TrainedContextLength = Required("context_length"),
            RopeDimensions = metadata.TryGetUInt32(prefix + "rope.dimension_count", out var ropeDims) ? (int)ropeDims : headSize,
            RopeFrequencyBase = metadata.TryGetFloat32(prefix + "rope.freq_base", out var freqBase) ? freqBase : 10000f,
            RopeFrequencyScale = scale,
            RopeMode = architecture.RopeMode,
            RmsNormEpsilon = metadata.GetFloat32(prefix + "attention.layer_norm_rms_epsilon"),
        };
    }
}
