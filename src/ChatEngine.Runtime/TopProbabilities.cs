namespace ChatEngine.Runtime;

/// <summary>The softmax of raw logits over the full vocabulary (max-subtracted, float64 sum), and its most likely tokens.</summary>
public static class TopProbabilities
{
    /// <summary>The k most likely tokens with their probabilities, most likely first (ties: lower id first).</summary>
    public static IReadOnlyList<(int Id, double Probability)> Compute(ReadOnlySpan<float> logits, int k)
    {
        var logNormalizer = LogNormalizer(logits);
        var ids = MostLikely(logits, k);
        var result = new (int Id, double Probability)[ids.Length];
        for (var i = 0; i < ids.Length; i++) result[i] = (ids[i], Math.Exp(logits[ids[i]] - logNormalizer));
        return result;
    }

    /// <summary>log Σ exp(logit): a token's log-probability is its logit minus this.</summary>
    public static double LogNormalizer(ReadOnlySpan<float> logits)
    {
        double max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (var l in logits) sum += Math.Exp(l - max);
        return max + Math.Log(sum);
    }

    /// <summary>The ids of the k largest logits, largest first (ties: lower id first).</summary>
    public static int[] MostLikely(ReadOnlySpan<float> logits, int k)
    {
        var best = new PriorityQueue<int, (float Logit, int Id)>(Comparer<(float Logit, int Id)>.Create((a, b) =>
            a.Logit != b.Logit ? a.Logit.CompareTo(b.Logit) : b.Id.CompareTo(a.Id)));
        for (var i = 0; i < logits.Length; i++)
        {
            if (best.Count < k) best.Enqueue(i, (logits[i], i));
            else if (best.TryPeek(out _, out var worst) && logits[i] > worst.Logit) best.EnqueueDequeue(i, (logits[i], i));
        }
        var result = new int[best.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = best.Dequeue();
        return result;
    }
}
