using ChatEngine.Kernels.Ops;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// What distinguishes one decoder-only architecture from another in the shared forward pass. Adding an
/// architecture that fits this shape is one small definition in <see cref="Architectures"/>.
/// </summary>
/// <param name="HasQkNorm">Queries and keys are RMS-normalised per head (attn_q_norm, attn_k_norm) before rope.</param>
public sealed record ArchitectureDefinition(string Name, RopeMode RopeMode, bool HasQkvBias, bool HasQkNorm = false)
{
    /// <summary>Token embeddings are multiplied by √embedding_length before the first block.</summary>
    public bool ScalesEmbeddings { get; init; }

    /// <summary>The attention and feed-forward outputs are RMS-normalised (post_attention_norm, post_ffw_norm) before the residual add.</summary>
    public bool HasPostNorms { get; init; }

    public FeedForwardActivation Activation { get; init; } = FeedForwardActivation.SwiGlu;

    /// <summary>q, k and v come from one attn_qkv matrix, gate and up from one ffn_up matrix (gate rows first).</summary>
    public bool HasFusedProjections { get; init; }

    /// <summary>The feed-forward is a mixture of experts (ffn_gate_inp router, ffn_{gate,up,down}_exps) rather than one gate/up/down.</summary>
    public bool HasExperts { get; init; }

    /// <summary>q is multiplied by 1/√head_size before the attention, whose scores are then unscaled (llama.cpp's order for this architecture).</summary>
    public bool ScalesQueries { get; init; }

    /// <summary>
    /// The sliding-window pattern where the file has attention.sliding_window but no sliding_window_pattern; null where the
    /// architecture has no local layers.
    /// </summary>
    public int? DefaultSlidingWindowPattern { get; init; }

    /// <summary>Rope base of the local layers where the file has no rope.freq_base_swa.</summary>
    public float DefaultLocalRopeFrequencyBase { get; init; } = 10000f;

    /// <summary>Tensors every block holds: two pre-norms, the projections and feed-forward matrices, plus the optional biases and norms.</summary>
    public int TensorsPerLayer =>
        2 + (HasFusedProjections ? 4 : HasExperts ? 8 : 7) + (HasQkvBias ? 3 : 0) + (HasQkNorm ? 2 : 0) + (HasPostNorms ? 2 : 0);
}

public enum FeedForwardActivation
{
    /// <summary>silu(gate) * up.</summary>
    SwiGlu,

    /// <summary>gelu_tanh(gate) * up, with ggml's F16 GELU table.</summary>
    GeGlu,
}

public static class Architectures
{
    public static readonly ArchitectureDefinition Llama = new("llama", RopeMode.Normal, HasQkvBias: false);
    public static readonly ArchitectureDefinition Qwen2 = new("qwen2", RopeMode.NeoX, HasQkvBias: true);
    public static readonly ArchitectureDefinition Qwen3 = new("qwen3", RopeMode.NeoX, HasQkvBias: false, HasQkNorm: true);

    /// <summary>
    /// llama.cpp's src/models/gemma3.cpp: scaled embeddings, sandwich norms, GeGLU, QK-norm, and local layers (every one but
    /// each pattern-th, llama_hparams::set_swa_pattern) with a sliding window and their own rope base.
    /// </summary>
    public static readonly ArchitectureDefinition Gemma3 = new("gemma3", RopeMode.NeoX, HasQkvBias: false, HasQkNorm: true)
    {
        ScalesEmbeddings = true,
        HasPostNorms = true,
        Activation = FeedForwardActivation.GeGlu,
        ScalesQueries = true,
        DefaultSlidingWindowPattern = 6,
    };

    /// <summary>llama.cpp's src/models/phi3.cpp: llama-like over fused attn_qkv and gate|up matrices.</summary>
    public static readonly ArchitectureDefinition Phi3 = new("phi3", RopeMode.NeoX, HasQkvBias: false)
    {
        HasFusedProjections = true,
        ScalesQueries = true,
    };

    /// <summary>llama.cpp's src/models/qwen3moe.cpp: qwen3's attention, every feed-forward a mixture of experts.</summary>
    public static readonly ArchitectureDefinition Qwen3Moe = new("qwen3moe", RopeMode.NeoX, HasQkvBias: false, HasQkNorm: true) { HasExperts = true };

    private static readonly ArchitectureDefinition[] Known = [Llama, Qwen2, Qwen3, Gemma3, Phi3, Qwen3Moe];

    public static ArchitectureDefinition Find(string name) =>
        Known.FirstOrDefault(a => a.Name == name)
        ?? throw new NotSupportedException(
            $"model architecture '{name}' is not supported (supported: {string.Join(", ", Known.Select(a => a.Name))})");
}
