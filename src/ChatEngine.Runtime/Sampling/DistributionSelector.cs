namespace ChatEngine.Runtime.Sampling;

/// <summary>Draws a candidate with probability softmax(logit) from a seeded <see cref="Xoshiro256StarStar"/>.</summary>
public sealed class DistributionSelector : ITokenSelector
{
    private readonly Xoshiro256StarStar _random;

    public DistributionSelector(ulong seed)
    {
        Seed = seed;
        _random = new Xoshiro256StarStar(seed);
    }

    public ulong Seed { get; }

    public string Name => "dist";

    public int Select(CandidateList candidates)
    {
        candidates.ComputeSoftmax();
        var items = candidates.Items;

        double total = 0;
        foreach (ref readonly var c in items) total += c.Probability;
        double target = _random.NextDoubleOpenClosed() * total;

        // target is in (0, total] and the running sum below repeats the same additions, so it reaches target at a
        // candidate with nonzero probability at the latest on the last such candidate.
        double running = 0;
        int chosen = -1;
        for (int i = 0; i < items.Length; i++)
        {
            float p = items[i].Probability;
            if (p <= 0f) continue;
            running += p;
            chosen = i;
            if (running >= target) break;
        }
        return chosen;
    }

    public void Reset() => _random.Reseed(Seed);
}
