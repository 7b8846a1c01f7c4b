namespace ChatEngine.Runtime;

/// <summary>The k most likely tokens under the softmax of raw logits (full vocabulary, max-subtracted, float64 sum).</summary>
public static class TopProbabilities
{
    public static IReadOnlyList<(int Id, double Probability)> Compute(ReadOnlySpan<float> logits, int k)
    {
        double max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (var l in logits) sum += Math.Exp(l - max);
        var best = new PriorityQueue<int, (float Logit, int Id)>(Comparer<(float Logit, int Id)>.Create((a, b) =>
            a.Logit != b.Logit ? a.Logit.CompareTo(b.Logit) : b.Id.CompareTo(a.Id)));
        for (var i = 0; i < logits.Length; i++)
        {
            if (best.Count < k) best.Enqueue(i, (logits[i], i));
            else if (best.TryPeek(out _, out var worst) && (logits[i] > worst.Logit)) best.EnqueueDequeue(i, (logits[i], i));
        }
        var result = new (int Id, double Probability)[best.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            var id = best.Dequeue();
            result[i] = (id, Math.Exp(logits[id] - max) / sum);
        }
        return result;
    }
}
