using System.Globalization;
using ChatEngine.Gguf;

namespace ChatEngine.Runtime.Quantization;

/// <summary>
/// Which type each tensor of a model gets when it is quantized to a <see cref="QuantizationType"/>, following
/// llama.cpp's llama-quantize without an importance matrix: only weight matrices are quantized (norms, biases, 1-D
/// tensors and the MoE router stay as they are); without <c>pure</c> the output projection, attention values and
/// some feed-forward down projections get more bits, by the same layer rule; a type whose blocks do not divide a
/// tensor's rows falls back to one that does.
/// </summary>
public sealed class QuantizationRecipe
{
    private readonly QuantizationType _type;
    private readonly bool _pure;
    private readonly int _layerCount;
    private readonly int _queryGroupSize;
    private readonly int _expertCount;
    private readonly bool _hasOutput;
    private readonly Dictionary<string, int> _attentionValueIndex = new(StringComparer.Ordinal);

    /// <param name="tensors">all of the model's tensors, in <see cref="WriteOrder"/></param>
    public QuantizationRecipe(QuantizationType type, bool pure, GgufMetadata metadata, IReadOnlyList<GgufTensorInfo> tensors)
    {
        _type = type;
        _pure = pure;
        var architecture = metadata.GetString("general.architecture");
        _layerCount = (int)metadata.GetUInt32($"{architecture}.block_count");
        var heads = metadata.TryGetUInt32($"{architecture}.attention.head_count", out var h) ? h : 1;
        var kvHeads = metadata.TryGetUInt32($"{architecture}.attention.head_count_kv", out var kv) && kv > 0 ? kv : heads;
        _queryGroupSize = (int)(heads / kvHeads);
        _expertCount = metadata.TryGetUInt32($"{architecture}.expert_count", out var experts) ? (int)experts : 0;
        _hasOutput = tensors.Any(t => t.Name == "output.weight");
        foreach (var tensor in tensors.Where(t => IsAttentionValue(t.Name)))
            _attentionValueIndex[tensor.Name] = _attentionValueIndex.Count;
    }

    /// <summary>The type <paramref name="tensor"/> is written as.</summary>
    public GgmlType TypeOf(GgufTensorInfo tensor)
    {
        if (!IsQuantizable(tensor)) return tensor.Type;
        var chosen = _pure || !_type.IsQuantized ? _type.BaseType : Mixed(tensor.Name, _type.BaseType, tensor.Dimensions[0]);
        return Fallback(chosen, tensor.Dimensions[0]);
    }

    /// <summary>
    /// <paramref name="type"/>, or a type whose blocks divide rows of <paramref name="columns"/> values: llama.cpp's
    /// Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0; Q2_K/Q3_K → Q4_0 (llama.cpp writes IQ4_NL, a type this engine does not
    /// write); F16 when not even 32-value blocks fit.
    /// </summary>
    public static GgmlType Fallback(GgmlType type, long columns)
    {
        if (columns % GgmlTypeInfo.BlockSize(type) == 0) return type;
        var substitute = type switch
        {
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q5_K => GgmlType.Q5_1,
            GgmlType.Q6_K => GgmlType.Q8_0,
            GgmlType.Q2_K or GgmlType.Q3_K => GgmlType.Q4_0,
            _ => GgmlType.F16,
        };
        return columns % GgmlTypeInfo.BlockSize(substitute) == 0 ? substitute : GgmlType.F16;
    }

    /// <summary>The order llama-quantize writes tensors in: tensors outside the blocks first, then block by block, by name within each.</summary>
    public static IReadOnlyList<GgufTensorInfo> WriteOrder(IEnumerable<GgufTensorInfo> tensors) =>
        tensors.OrderBy(t => LayerOf(t.Name)).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();

    private static bool IsQuantizable(GgufTensorInfo tensor) =>
        tensor.Dimensions.Length >= 2 && tensor.Name.EndsWith("weight", StringComparison.Ordinal)
        && !tensor.Name.EndsWith("_norm.weight", StringComparison.Ordinal)
        && !tensor.Name.Contains("ffn_gate_inp", StringComparison.Ordinal)
        && tensor.Name is not ("position_embd.weight" or "token_types.weight");

    private GgmlType Mixed(string name, GgmlType type, long columns)
    {
        var kind = _type.Name;
        if (name == "output.weight" || (!_hasOutput && name == "token_embd.weight"))
            return columns % GgmlTypeInfo.QK_K != 0 ? GgmlType.Q8_0 : type == GgmlType.Q8_0 ? type : GgmlType.Q6_K;
        if (IsAttentionValue(name))
        {
            var index = _attentionValueIndex[name];
            type = kind switch
            {
                "Q2_K" => _queryGroupSize >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K,
                "Q3_K_M" => index < 2 ? GgmlType.Q5_K : GgmlType.Q4_K,
                "Q3_K_L" => GgmlType.Q5_K,
                "Q4_K_M" or "Q5_K_M" when UsesMoreBits(index, _attentionValueIndex.Count) => GgmlType.Q6_K,
                "Q4_K_S" when index < 4 => GgmlType.Q5_K,
                _ => type,
            };
            return _expertCount == 8 ? GgmlType.Q8_0 : type;
        }
        if (name.Contains("attn_k.weight", StringComparison.Ordinal))
            return _expertCount == 8 ? GgmlType.Q8_0 : type;
        if (name.Contains("attn_output.weight", StringComparison.Ordinal))
            return _expertCount == 8
                ? kind is "Q2_K" or "Q3_K_S" or "Q3_K_M" or "Q4_K_S" or "Q4_K_M" ? GgmlType.Q5_K : type
                : kind switch { "Q2_K" => GgmlType.Q3_K, "Q3_K_M" => GgmlType.Q4_K, "Q3_K_L" => GgmlType.Q5_K, _ => type };
        if (name.Contains("ffn_down", StringComparison.Ordinal))
        {
            var layer = LayerOf(name);
            return kind switch
            {
                "Q2_K" => GgmlType.Q3_K,
                "Q3_K_M" => layer < _layerCount / 16 ? GgmlType.Q5_K : GgmlType.Q4_K,
                "Q3_K_L" => GgmlType.Q5_K,
                "Q4_K_M" or "Q5_K_M" when UsesMoreBits(layer, _layerCount) => GgmlType.Q6_K,
                "Q4_K_S" when layer < _layerCount / 8 => GgmlType.Q5_K,
                _ => type,
            };
        }
        return type;
    }

    /// <summary>llama.cpp's choice of layers that get more bits: the first and last eighth, and every third in between.</summary>
    private static bool UsesMoreBits(int index, int count) =>
        index < count / 8 || index >= 7 * count / 8 || (index - count / 8) % 3 == 2;

    /// <summary>Value projections, alone or fused with queries and keys: the attention weights most sensitive to quantization.</summary>
    private static bool IsAttentionValue(string name) =>
        name.Contains("attn_v.weight", StringComparison.Ordinal) || name.Contains("attn_qkv.weight", StringComparison.Ordinal);

    private static int LayerOf(string name)
    {
        if (!name.StartsWith("blk.", StringComparison.Ordinal)) return -1;
        var end = name.IndexOf('.', 4);
        return end > 4 && int.TryParse(name.AsSpan(4, end - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var layer) ? layer : -1;
    }
}
