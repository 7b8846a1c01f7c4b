using System.Numerics;

namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// The reusable working set the sampler stages transform: (id, logit, probability) triples, preallocated for the
/// whole vocabulary so that steady-state sampling allocates nothing. Stages edit entries in place through
/// <see cref="Items"/> and report structural changes (truncation, filtering, reordering) through the methods below
/// so that the ordering facts (<see cref="IsSorted"/>, <see cref="RankedPrefix"/>, <see cref="IsVocabularyOrder"/>)
/// stay truthful.
/// </summary>
public sealed class CandidateList
{
    private readonly TokenCandidate[] _items;
    private int _rankedPrefix;

    public CandidateList(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _items = new TokenCandidate[capacity];
    }

    public int Capacity => _items.Length;

    public int Count { get; private set; }

    /// <summary>How many leading entries are known to be the top-ranked candidates in <see cref="ByLogitDescending"/> order.</summary>
    public int RankedPrefix => _rankedPrefix;

    /// <summary>True when all candidates are in <see cref="ByLogitDescending"/> order.</summary>
    public bool IsSorted => _rankedPrefix >= Count;

    /// <summary>True when entry i holds token i for every i (the state right after <see cref="Load"/>, kept by
    /// in-place logit edits and by truncation), which lets stages address a token by its id directly.</summary>
    public bool IsVocabularyOrder { get; private set; }

    /// <summary>The current candidates, writable in place. After editing logits call <see cref="OnLogitsChanged"/>.</summary>
    public Span<TokenCandidate> Items => _items.AsSpan(0, Count);

    /// <summary>Fills the list with one candidate per vocabulary entry. Logits may be -infinity (masked) but not
    /// NaN or +infinity, which would poison every softmax downstream.</summary>
    public void Load(ReadOnlySpan<float> logits)
    {
        if (logits.Length != _items.Length)
            throw new ArgumentException($"expected {_items.Length} logits (the vocabulary size), got {logits.Length}", nameof(logits));

        ValidateLogits(logits);
        var items = _items;
        for (int i = 0; i < logits.Length; i++) items[i] = new TokenCandidate(i, logits[i], 0f);
        Count = logits.Length;
        _rankedPrefix = 0;
        IsVocabularyOrder = true;
    }

    /// <summary>Replaces the list with a single candidate (greedy selection reports its pick this way).</summary>
    public void SetSingle(TokenCandidate candidate)
    {
        _items[0] = candidate;
        Count = 1;
        _rankedPrefix = 1;
        IsVocabularyOrder = candidate.Id == 0;
    }

    /// <summary>Reports that logits were edited in place, which may have changed their ranking.</summary>
    public void OnLogitsChanged() => _rankedPrefix = 0;

    /// <summary>Keeps the first <paramref name="count"/> candidates.</summary>
    public void Truncate(int count)
    {
        ValidateNewCount(count);
        Count = count;
        _rankedPrefix = Math.Min(_rankedPrefix, count);
    }

    /// <summary>Reports that a stage removed candidates in place while keeping the survivors' relative order,
    /// leaving <paramref name="count"/> of them at the front.</summary>
    public void OnFiltered(int count)
    {
        ValidateNewCount(count);
        if (count == Count) return;
        _rankedPrefix = IsSorted ? count : 0;
        IsVocabularyOrder = false;
        Count = count;
    }

    /// <summary>Reports that a stage rewrote the first <paramref name="count"/> entries in an arbitrary order.</summary>
    public void OnRearranged(int count)
    {
        ValidateNewCount(count);
        Count = count;
        _rankedPrefix = 0;
        IsVocabularyOrder = false;
    }

    /// <summary>Moves the top <paramref name="k"/> candidates to the front in rank order (without truncating) and
    /// returns <see cref="RankedPrefix"/>, which is then at least min(k, Count).</summary>
    public int SortTop(int k)
    {
        k = Math.Clamp(k, 0, Count);
        if (_rankedPrefix >= k) return _rankedPrefix;
        RankSort.SelectTop(Items, k, default(ByLogitDescending));
        IsVocabularyOrder = false;
        // Once all but one are placed, the last is necessarily the lowest-ranked.
        _rankedPrefix = k >= Count - 1 ? Count : k;
        return _rankedPrefix;
    }

    /// <summary>Sorts all candidates (no-op when already sorted).</summary>
    public void Sort() => SortTop(Count);

    /// <summary>The largest logit among the candidates (-infinity when every candidate is masked).</summary>
    public float MaxLogit()
    {
        if (Count == 0) throw new InvalidOperationException("the candidate list is empty");
        if (_rankedPrefix > 0) return _items[0].Logit;
        float max = float.NegativeInfinity;
        foreach (ref readonly var c in Items) max = MathF.Max(max, c.Logit);
        return max;
    }

    /// <summary>Sets every candidate's probability to the softmax of the current logits (max-subtracted, in float32
    /// as llama.cpp does). Throws when every candidate is masked, since no distribution exists then.</summary>
    public void ComputeSoftmax()
    {
        float max = MaxLogit();
        if (float.IsNegativeInfinity(max))
            throw new InvalidOperationException("every candidate has logit -infinity (all tokens banned): nothing can be sampled");

        var items = Items;
        float sum = 0f;
        for (int i = 0; i < items.Length; i++)
        {
            float p = MathF.Exp(items[i].Logit - max);
            items[i].Probability = p;
            sum += p;
        }
        for (int i = 0; i < items.Length; i++) items[i].Probability /= sum;
    }

    // A single SIMD comparison per vector: x < +infinity is false exactly for NaN and +infinity.
    private static void ValidateLogits(ReadOnlySpan<float> logits)
    {
        var limit = new Vector<float>(float.PositiveInfinity);
        int i = 0;
        bool valid = true;
        for (; valid && i <= logits.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            valid = Vector.LessThanAll(new Vector<float>(logits.Slice(i, Vector<float>.Count)), limit);
        }
        if (valid)
        {
            for (; i < logits.Length; i++) valid &= logits[i] < float.PositiveInfinity;
            if (valid) return;
        }
        for (int j = 0; j < logits.Length; j++)
        {
            if (!(logits[j] < float.PositiveInfinity))
                throw new ArgumentException($"logits[{j}] is {logits[j]}; logits must be finite or -infinity", nameof(logits));
        }
    }

    private void ValidateNewCount(int count)
    {
        if ((uint)count > (uint)Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"must be in [0, {Count}]");
    }
}
