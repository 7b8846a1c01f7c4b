namespace ChatEngine.Runtime.Sampling;

/// <summary>A strict total order used by <see cref="RankSort"/>: <c>Precedes(a, b)</c> means a ranks before b.</summary>
public interface IRankOrder<T>
{
    bool Precedes(in T a, in T b);
}

/// <summary>
/// The canonical candidate order: higher logit first, equal logits by lower id. Being total, it makes every
/// selection and sort deterministic, so ties always resolve toward the lowest token id.
/// </summary>
public readonly struct ByLogitDescending : IRankOrder<TokenCandidate>
{
    public bool Precedes(in TokenCandidate a, in TokenCandidate b) =>
        a.Logit > b.Logit || (a.Logit == b.Logit && a.Id < b.Id);
}
