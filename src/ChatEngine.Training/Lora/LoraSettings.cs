namespace ChatEngine.Training.Lora;

/// <summary>Shape of a LoRA adapter: W' = W + (Alpha / Rank) · B A on every target projection.</summary>
public sealed record LoraSettings(int Rank, float Alpha, float Dropout, IReadOnlyList<LoraTarget> Targets)
{
    public static readonly IReadOnlyList<LoraTarget> DefaultTargets = LoraTargets.All;

    public float Scale => Alpha / Rank;

    public void Validate()
    {
        if (Rank < 1) throw new ArgumentException($"LoRA rank must be at least 1, got {Rank}", nameof(Rank));
        if (!(Alpha > 0)) throw new ArgumentException($"LoRA alpha must be positive, got {Alpha}", nameof(Alpha));
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"LoRA dropout must be in [0, 1), got {Dropout}", nameof(Dropout));
        if (Targets.Count == 0) throw new ArgumentException("at least one LoRA target is needed", nameof(Targets));
    }

    public override string ToString() =>
        $"rank {Rank}, alpha {Alpha}, dropout {Dropout}, targets {string.Join(",", Targets.Select(t => t.ShortName()))}";
}
