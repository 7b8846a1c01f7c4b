using ChatEngine.Kernels.Ops;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// What distinguishes one decoder-only architecture from another in the shared forward pass. Adding an
/// architecture that fits this shape is one small definition in <see cref="Architectures"/>.
/// </summary>
public sealed record ArchitectureDefinition(string Name, RopeMode RopeMode, bool HasQkvBias);

public static class Architectures
{
    public static readonly ArchitectureDefinition Llama = new("llama", RopeMode.Normal, HasQkvBias: false);
    public static readonly ArchitectureDefinition Qwen2 = new("qwen2", RopeMode.NeoX, HasQkvBias: true);

    private static readonly ArchitectureDefinition[] Known = [Llama, Qwen2];

    public static ArchitectureDefinition Find(string name) =>
        Known.FirstOrDefault(a => a.Name == name)
        ?? throw new NotSupportedException(
            $"model architecture '{name}' is not supported (supported: {string.Join(", ", Known.Select(a => a.Name))})");
}
