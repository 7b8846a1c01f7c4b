using ChatEngine.Runtime.Model;

namespace ChatEngine.Training.Lora;

/// <summary>The projections of a transformer block that can carry a LoRA adapter.</summary>
public enum LoraTarget
{
    Query,
    Key,
    Value,
    Output,
    Gate,
    Up,
    Down,
}

public static class LoraTargets
{
    public static readonly IReadOnlyList<LoraTarget> All = Enum.GetValues<LoraTarget>();

    /// <summary>The short name used on the command line (q, k, v, o, gate, up, down).</summary>
    public static string ShortName(this LoraTarget target) => target switch
    {
        LoraTarget.Query => "q",
        LoraTarget.Key => "k",
        LoraTarget.Value => "v",
        LoraTarget.Output => "o",
        LoraTarget.Gate => "gate",
        LoraTarget.Up => "up",
        LoraTarget.Down => "down",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
    };

    /// <summary>The GGUF name of the base tensor in block <paramref name="layer"/>, e.g. <c>blk.0.attn_q.weight</c>.</summary>
    public static string TensorName(this LoraTarget target, int layer) => $"blk.{layer}." + target switch
    {
        LoraTarget.Query => "attn_q",
        LoraTarget.Key => "attn_k",
        LoraTarget.Value => "attn_v",
        LoraTarget.Output => "attn_output",
        LoraTarget.Gate => "ffn_gate",
        LoraTarget.Up => "ffn_up",
        LoraTarget.Down => "ffn_down",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
    } + ".weight";

    /// <summary>(inputs, outputs) of the projection in a model with these hyper-parameters.</summary>
    public static (int Inputs, int Outputs) Shape(this LoraTarget target, ModelHyperParameters p)
    {
        var qSize = p.HeadCount * p.HeadSize;
        return target switch
        {
            LoraTarget.Query => (p.EmbeddingSize, qSize),
            LoraTarget.Key or LoraTarget.Value => (p.EmbeddingSize, p.KvSize),
            LoraTarget.Output => (qSize, p.EmbeddingSize),
            LoraTarget.Gate or LoraTarget.Up => (p.EmbeddingSize, p.FeedForwardSize),
            LoraTarget.Down => (p.FeedForwardSize, p.EmbeddingSize),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
        };
    }

    /// <summary>Parses a comma-separated list such as <c>q,k,v,o,gate,up,down</c>; an unknown name is an error naming it.</summary>
    public static IReadOnlyList<LoraTarget> Parse(string list)
    {
        var targets = new List<LoraTarget>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var target = All.Where(t => string.Equals(t.ShortName(), name, StringComparison.OrdinalIgnoreCase)).Cast<LoraTarget?>().FirstOrDefault()
                ?? throw new ArgumentException(
                    $"unknown LoRA target '{name}' (known: {string.Join(", ", All.Select(t => t.ShortName()))})", nameof(list));
            if (!targets.Contains(target)) targets.Add(target);
        }
        if (targets.Count == 0) throw new ArgumentException("no LoRA target given", nameof(list));
        return targets;
    }
}
