namespace ChatEngine.Eval.Measurement;

/// <summary>Mean, p50/p90/p99 and maximum of a sample (all null when the sample is empty).</summary>
public sealed record Distribution(int Count, double? Mean, double? P50, double? P90, double? P99, double? Max)
{
    public static Distribution Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new Distribution(0, null, null, null, null, null);
        return new Distribution(sorted.Length, sorted.Average(),
            Percentiles.OfSorted(sorted, 0.50), Percentiles.OfSorted(sorted, 0.90), Percentiles.OfSorted(sorted, 0.99), sorted[^1]);
    }
}
