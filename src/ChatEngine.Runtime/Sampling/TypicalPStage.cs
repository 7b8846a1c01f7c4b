namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// Locally typical sampling (Meister et al., 2022), as llama.cpp applies it: with entropy H = -sum p ln p of the
/// current candidates, rank them by |-ln p - H| (closest to the expected surprise first) and keep the shortest
/// such prefix whose cumulative probability exceeds <c>p</c> (and at least <c>minKeep</c>). The survivors stay in
/// that typicality order. p = 1 disables it.
/// </summary>
public sealed class TypicalPStage : ISamplerStage
{
    private readonly TypicalityEntry[] _ranking;
    private readonly TokenCandidate[] _reordered;

    public TypicalPStage(float p, int vocabSize, int minKeep = 0)
    {
        if (!(p > 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "typical-p must be in (0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        ArgumentOutOfRangeException.ThrowIfNegative(minKeep);
        P = p;
        MinKeep = minKeep;
        bool enabled = p < 1f;
        _ranking = new TypicalityEntry[enabled ? vocabSize : 0];
        _reordered = new TokenCandidate[enabled ? vocabSize : 0];
    }

    public float P { get; }
    public int MinKeep { get; }

    public string Name => "typical";

    public void Apply(CandidateList candidates)
    {
        if (P >= 1f) return;
        candidates.Sort();
        candidates.ComputeSoftmax();
        var items = candidates.Items;

        float entropy = 0f;
        foreach (ref readonly var c in items)
        {
            // p = 0 (underflow) contributes 0 in the limit; computing 0 * ln 0 would give NaN.
            if (c.Probability > 0f) entropy -= c.Probability * MathF.Log(c.Probability);
        }

        var ranking = _ranking.AsSpan(0, items.Length);
        for (int i = 0; i < items.Length; i++)
        {
            ranking[i] = new TypicalityEntry(MathF.Abs(-MathF.Log(items[i].Probability) - entropy), i);
        }
        RankSort.Sort(ranking, default(MostTypicalFirst));

        int keep = items.Length;
        float cumulative = 0f;
        for (int i = 0; i < ranking.Length; i++)
        {
            cumulative += items[ranking[i].Position].Probability;
            if (cumulative > P && i + 1 >= MinKeep)
            {
                keep = i + 1;
                break;
            }
        }

        var reordered = _reordered.AsSpan(0, keep);
        for (int i = 0; i < keep; i++) reordered[i] = items[ranking[i].Position];
        reordered.CopyTo(items);
        candidates.OnRearranged(keep);
    }

    private readonly record struct TypicalityEntry(float Distance, int Position);

    // Equal distances keep the probability order (Position indexes the sorted list), so the order is total.
    private readonly struct MostTypicalFirst : IRankOrder<TypicalityEntry>
    {
        public bool Precedes(in TypicalityEntry a, in TypicalityEntry b) =>
            a.Distance < b.Distance || (a.Distance == b.Distance && a.Position < b.Position);
    }
}
