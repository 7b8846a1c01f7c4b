using System.Diagnostics.CodeAnalysis;
using ChatEngine.Gguf;

namespace ChatEngine.Runtime.Quantization;

/// <summary>
/// A model file type as <c>llama-quantize</c> names it: the tensor type most weights get, and the
/// <c>general.file_type</c> number (llama_ftype) the file records. The K-quant _S/_M/_L names share a base type and
/// differ only in the mix <see cref="QuantizationRecipe"/> picks for sensitive tensors.
/// </summary>
public sealed record QuantizationType(string Name, GgmlType BaseType, uint FileType)
{
    /// <summary>Every type this engine writes, in llama-quantize's order.</summary>
    public static IReadOnlyList<QuantizationType> All { get; } =
    [
        new("Q4_0", GgmlType.Q4_0, 2),
        new("Q4_1", GgmlType.Q4_1, 3),
        new("Q5_0", GgmlType.Q5_0, 8),
        new("Q5_1", GgmlType.Q5_1, 9),
        new("Q2_K", GgmlType.Q2_K, 10),
        new("Q3_K_S", GgmlType.Q3_K, 11),
        new("Q3_K_M", GgmlType.Q3_K, 12),
        new("Q3_K_L", GgmlType.Q3_K, 13),
        new("Q4_K_S", GgmlType.Q4_K, 14),
        new("Q4_K_M", GgmlType.Q4_K, 15),
        new("Q5_K_S", GgmlType.Q5_K, 16),
        new("Q5_K_M", GgmlType.Q5_K, 17),
        new("Q6_K", GgmlType.Q6_K, 18),
        new("Q8_0", GgmlType.Q8_0, 7),
        new("F16", GgmlType.F16, 1),
        new("BF16", GgmlType.BF16, 32),
        new("F32", GgmlType.F32, 0),
    ];

    /// <summary>llama-quantize's short names for the medium K-quant mixes.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Q3_K"] = "Q3_K_M",
        ["Q4_K"] = "Q4_K_M",
        ["Q5_K"] = "Q5_K_M",
    };

    /// <summary>The type named <paramref name="name"/> (any case, or a short alias such as Q4_K), if there is one.</summary>
    public static bool TryFind(string name, [NotNullWhen(true)] out QuantizationType? type)
    {
        var canonical = Aliases.GetValueOrDefault(name, name);
        type = All.FirstOrDefault(t => string.Equals(t.Name, canonical, StringComparison.OrdinalIgnoreCase));
        return type is not null;
    }

    /// <summary>The file type llama-quantize records for a <c>--pure</c> file whose weights are all <paramref name="type"/>.</summary>
    public static QuantizationType OfPure(GgmlType type) =>
        All.FirstOrDefault(t => t.BaseType == type) ?? throw new ArgumentException($"{type} is not a model file type", nameof(type));

    public bool IsQuantized => BaseType is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16);

    public override string ToString() => Name;
}
