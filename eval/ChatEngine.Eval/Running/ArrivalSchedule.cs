namespace ChatEngine.Eval.Running;

/// <summary>
/// Open-loop request arrivals at <see cref="RequestsPerSecond"/> on average, as a Poisson process (exponential gaps),
/// like <c>vllm bench serve --request-rate</c>: the first request at once, request i may start at <see cref="OffsetOf"/>(i) after the level's
/// start, and later only when all of the level's workers (its concurrency, vLLM's <c>--max-concurrency</c>) are busy.
/// The same seed gives the same arrivals.
/// </summary>
public sealed class ArrivalSchedule
{
    private readonly Random _random;
    private readonly List<TimeSpan> _offsets = [TimeSpan.Zero];
    private readonly Lock _lock = new();

    public ArrivalSchedule(double requestsPerSecond, int seed)
    {
        if (!(requestsPerSecond > 0) || double.IsInfinity(requestsPerSecond))
            throw new ArgumentOutOfRangeException(nameof(requestsPerSecond), requestsPerSecond, "--request-rate must be a positive number of requests per second");
        RequestsPerSecond = requestsPerSecond;
        _random = new Random(seed);
    }

    public double RequestsPerSecond { get; }

    public TimeSpan OffsetOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        lock (_lock)
        {
            while (_offsets.Count <= index)
            {
                var gapSeconds = -Math.Log(1 - _random.NextDouble()) / RequestsPerSecond;
                _offsets.Add(_offsets[^1] + TimeSpan.FromSeconds(gapSeconds));
            }
            return _offsets[index];
        }
    }
}
