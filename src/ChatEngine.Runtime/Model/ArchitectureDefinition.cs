using ChatEngine.Kernels.Ops;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// What distinguishes one decoder-only architecture from another in the shared forward pass. Adding an
/// architecture that fits this shape is one small definition in <see cref="Architectures"/>.
/// </summary>
/// <param name="HasQkNorm">Queries and keys are RMS-normalised per head (attn_q_norm, attn_k_norm) before rope.</param>
public sealed record ArchitectureDefinition(string Name, RopeMode RopeMode, bool HasQkvBias, bool HasQkNorm = false)
{
    /// <summary>Tensors every block holds: norms, projections and feed-forward (9), plus the optional biases and QK-norms.</summary>
    public int TensorsPerLayer => 9 + (HasQkvBias ? 3 : 0) + (HasQkNorm ? 2 : 0);
}

public static class Architectures
{
    public static readonly ArchitectureDefinition Llama = new("llama", RopeMode.Normal, HasQkvBias: false);
    public static readonly ArchitectureDefinition Qwen2 = new("qwen2", RopeMode.NeoX, HasQkvBias: true);
    public static readonly ArchitectureDefinition Qwen3 = new("qwen3", RopeMode.NeoX, HasQkvBias: false, HasQkNorm: true);

    private static readonly ArchitectureDefinition[] Known = [Llama, Qwen2, Qwen3];

    public static ArchitectureDefinition Find(string name) =>
        Known.FirstOrDefault(a => a.Name == name)
        ?? throw new NotSupportedException(
            $"model architecture '{name}' is not supported (supported: {string.Join(", ", Known.Select(a => a.Name))})");
}
