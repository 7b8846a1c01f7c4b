namespace ChatEngine.Runtime.Serving;

/// <summary>A Prometheus histogram: counts of observations at or below fixed upper bounds, plus their count and sum.
/// Thread-safe; an observation and a snapshot each take a short lock.</summary>
public sealed class Histogram
{
    private readonly double[] _bounds;
    private readonly long[] _counts;
    private readonly Lock _gate = new();
    private double _sum;

    /// <param name="bounds">Increasing finite upper bounds; the +Inf bucket is implied.</param>
    public Histogram(params double[] bounds)
    {
        for (var i = 1; i < bounds.Length; i++)
            if (!(bounds[i] > bounds[i - 1])) throw new ArgumentException("bucket bounds must increase", nameof(bounds));
        _bounds = bounds;
        _counts = new long[bounds.Length + 1];
    }

    internal void Observe(double value)
    {
        var bucket = 0;
        while (bucket < _bounds.Length && value > _bounds[bucket]) bucket++;
        lock (_gate)
        {
            _counts[bucket]++;
            _sum += value;
        }
    }

    /// <summary>Upper bounds with cumulative counts (the last bound is +Inf), the total count and the sum.</summary>
    public (IReadOnlyList<(double UpperBound, long Count)> Buckets, long Count, double Sum) Snapshot()
    {
        var buckets = new (double, long)[_counts.Length];
        lock (_gate)
        {
            long cumulative = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                cumulative += _counts[i];
                buckets[i] = (i < _bounds.Length ? _bounds[i] : double.PositiveInfinity, cumulative);
            }
            return (buckets, cumulative, _sum);
        }
    }
}
