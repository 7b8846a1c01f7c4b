namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// Keeps the candidates whose probability is at least <c>p</c> times the largest probability, i.e. whose logit is
/// at least max_logit + ln(p) (at least <c>minKeep</c> of them); p = 0 disables it. Survivors keep their order.
/// </summary>
public sealed class MinPStage : ISamplerStage
{
    public MinPStage(float p, int minKeep = 0)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "min-p must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(minKeep);
        P = p;
        MinKeep = minKeep;
    }

    public float P { get; }
    public int MinKeep { get; }

    public string Name => "min-p";

    public void Apply(CandidateList candidates)
    {
        if (P <= 0f || candidates.Count == 0) return;
        float minLogit = candidates.MaxLogit() + MathF.Log(P);

        var items = candidates.Items;
        int survivors = 0;
        foreach (ref readonly var c in items)
        {
            if (c.Logit >= minLogit) survivors++;
        }

        int keep = Math.Max(survivors, Math.Min(MinKeep, items.Length));
        if (keep == survivors)
        {
            int write = 0;
            for (int read = 0; read < items.Length; read++)
            {
                if (items[read].Logit >= minLogit) items[write++] = items[read];
            }
            candidates.OnFiltered(write);
        }
        else
        {
            candidates.SortTop(keep);
            candidates.Truncate(keep);
        }
    }
}
