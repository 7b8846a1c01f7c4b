namespace ChatEngine.Runtime.Sampling;

/// <summary>Keeps the <c>k</c> highest-logit candidates (ties toward lower ids); k = 0 disables it. Uses partial
/// selection, so a small k over a large vocabulary costs about one comparison per candidate.</summary>
public sealed class TopKStage : ISamplerStage
{
    public TopKStage(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        K = k;
    }

    public int K { get; }

    public string Name => "top-k";

    public void Apply(CandidateList candidates)
    {
        if (K == 0 || K >= candidates.Count) return;
        candidates.SortTop(K);
        candidates.Truncate(K);
    }
}
