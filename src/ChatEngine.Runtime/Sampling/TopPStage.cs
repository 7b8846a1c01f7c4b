namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// Nucleus sampling: keeps the smallest prefix of the candidates, by descending probability, whose cumulative
/// probability reaches <c>p</c> (and at least <c>minKeep</c> of them); p = 1 disables it.
/// </summary>
public sealed class TopPStage : ISamplerStage
{
    // Over a large unsorted list, rank only a head of the list first (the nucleus usually fits in it) and grow the
    // head geometrically when it does not: partial selection costs O(n log k), a full sort O(n log n).
    private const int LargeListThreshold = 1024;
    private const int FirstRankingSize = 256;
    private const int RankingGrowth = 8;

    public TopPStage(float p, int minKeep = 0)
    {
        if (!(p > 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "top-p must be in (0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(minKeep);
        P = p;
        MinKeep = minKeep;
    }

    public float P { get; }
    public int MinKeep { get; }

    public string Name => "top-p";

    public void Apply(CandidateList candidates)
    {
        if (P >= 1f) return;
        candidates.ComputeSoftmax();

        int ranked = candidates.Count > LargeListThreshold
            ? candidates.SortTop(FirstRankingSize)
            : candidates.SortTop(candidates.Count);

        var items = candidates.Items;
        float cumulative = 0f;
        for (int i = 0; i < items.Length; i++)
        {
            if (i == ranked) ranked = candidates.SortTop(ranked * RankingGrowth);
            cumulative += items[i].Probability;
            if (cumulative >= P && i + 1 >= MinKeep)
            {
                candidates.Truncate(i + 1);
                return;
            }
        }
    }
}
