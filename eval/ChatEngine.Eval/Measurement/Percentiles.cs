namespace ChatEngine.Eval.Measurement;

public static class Percentiles
{
    /// <summary>
    /// The q-quantile of ascending <paramref name="sorted"/> by linear interpolation between closest ranks
    /// (numpy's default): h = (n - 1)q, result = x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋ + 1] - x[⌊h⌋]).
    /// </summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(sorted));
        if (q is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(q), q, "quantile must be in [0, 1]");
        var h = (sorted.Count - 1) * q;
        var low = (int)Math.Floor(h);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
    }
}
