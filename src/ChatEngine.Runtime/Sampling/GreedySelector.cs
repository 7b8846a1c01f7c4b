namespace ChatEngine.Runtime.Sampling;

/// <summary>Picks the highest logit, ties toward the lowest token id; the list is left holding just that
/// candidate with probability 1 (llama.cpp's post-sampling probabilities at temperature 0).</summary>
public sealed class GreedySelector : ITokenSelector
{
    public string Name => "greedy";

    public int Select(CandidateList candidates)
    {
        var items = candidates.Items;
        if (items.IsEmpty) throw new InvalidOperationException("no candidates to select from");

        int best = 0;
        float bestLogit = items[0].Logit;
        int bestId = items[0].Id;
        for (int i = 1; i < items.Length; i++)
        {
            float logit = items[i].Logit;
            if (logit > bestLogit || (logit == bestLogit && items[i].Id < bestId))
            {
                best = i;
                bestLogit = logit;
                bestId = items[i].Id;
            }
        }
        var chosen = items[best];
        if (float.IsNegativeInfinity(chosen.Logit))
            throw new InvalidOperationException("every candidate has logit -infinity (all tokens banned): nothing can be sampled");

        candidates.SetSingle(new TokenCandidate(chosen.Id, chosen.Logit, 1f));
        return 0;
    }
}
