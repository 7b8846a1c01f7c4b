namespace ChatEngine.Runtime.Synthesis;

/// <summary>The tensor shapes and metadata of a real model, for random-weight files that time like the real thing.</summary>
/// <param name="KeyLength">The head size where it is not embedding ÷ heads (written as attention.key_length and value_length).</param>
/// <param name="SlidingWindow">attention.sliding_window of an architecture with local layers.</param>
/// <param name="RopeDimensions">Rotated dimensions per head where not all are (rope.dimension_count).</param>
public sealed record ModelShape(
    string Name,
    string Architecture,
    int EmbeddingSize,
    int LayerCount,
    int HeadCount,
    int KvHeadCount,
    int FeedForwardSize,
    int VocabSize,
    bool TiedOutput,
    float RopeFrequencyBase,
    float RmsNormEpsilon,
    int ContextLength,
    int? KeyLength = null,
    int? SlidingWindow = null,
    int? RopeDimensions = null)
{
    public int HeadSize => KeyLength ?? EmbeddingSize / HeadCount;

    public int RotatedDimensions => RopeDimensions ?? HeadSize;

    public static readonly IReadOnlyList<ModelShape> Known =
    [
        new("smollm2-135m", "llama", 576, 30, 9, 3, 1536, 49152, TiedOutput: true, 100000f, 1e-5f, 8192),
        new("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, TiedOutput: true, 1000000f, 1e-6f, 32768),
        new("llama-3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, TiedOutput: true, 500000f, 1e-5f, 131072),
        new("tinyllama-1.1b", "llama", 2048, 22, 32, 4, 5632, 32000, TiedOutput: false, 10000f, 1e-5f, 2048),
        new("qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 3072, 151936, TiedOutput: true, 1000000f, 1e-6f, 40960, KeyLength: 128),
        new("gemma3-1b", "gemma3", 1152, 26, 4, 1, 6912, 262144, TiedOutput: true, 1000000f, 1e-6f, 32768, KeyLength: 256, SlidingWindow: 512),
        // Without the LongRoPE factors of the real file, only its original (pre-extension) context of 4096 is faithful.
        new("phi-4-mini", "phi3", 3072, 32, 24, 8, 8192, 200064, TiedOutput: true, 10000f, 1e-5f, 4096, RopeDimensions: 96),
    ];

    public static ModelShape Find(string name) =>
        Known.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"unknown shape '{name}' (known: {string.Join(", ", Known.Select(s => s.Name))})", nameof(name));
}
