namespace ChatEngine.Runtime.Serving;

/// <summary>
/// Counters and latency histograms of the <see cref="InferenceScheduler"/>, written by its thread (and by request
/// threads for admissions) and read by the server's metrics endpoint. Throughput is measured over the time spent in forward
/// passes: a step's time is split between its prompt and decode tokens in proportion to their counts.
/// </summary>
public sealed class SchedulerMetrics
{
    private readonly long[] _outcomes = new long[Enum.GetValues<SequenceOutcome>().Length];
    private readonly Lock _throughputGate = new();
    private long _accepted;
    private long _rejected;
    private long _promptTokens;
    private long _cachedPromptTokens;
    private long _completionTokens;
    private long _prefillTokens;
    private long _decodeTokens;
    private long _forwardPasses;
    private double _prefillSeconds;
    private double _decodeSeconds;

    public Histogram TimeToFirstToken { get; } = new(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

    public Histogram InterTokenLatency { get; } = new(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5);

    public long Outcomes(SequenceOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    internal void Accepted() => Interlocked.Increment(ref _accepted);

    internal void Rejected() => Interlocked.Increment(ref _rejected);

    internal void Started(int promptTokens, int cachedTokens)
    {
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _cachedPromptTokens, cachedTokens);
    }

    internal void Generated() => Interlocked.Increment(ref _completionTokens);

    internal void Ended(SequenceOutcome outcome) => Interlocked.Increment(ref _outcomes[(int)outcome]);

    internal void Forward(int prefillTokens, int decodeTokens, double seconds)
    {
        var total = prefillTokens + decodeTokens;
        if (total == 0) return;
        lock (_throughputGate)
        {
            _forwardPasses++;
            _prefillTokens += prefillTokens;
            _decodeTokens += decodeTokens;
            _prefillSeconds += seconds * prefillTokens / total;
            _decodeSeconds += seconds * decodeTokens / total;
        }
    }

    /// <summary>The counters as of now; the throughput figures are read together.</summary>
    public SchedulerTotals Totals()
    {
        var outcomes = Enum.GetValues<SequenceOutcome>().ToDictionary(o => o, Outcomes);
        lock (_throughputGate)
        {
            return new SchedulerTotals(Interlocked.Read(ref _accepted), Interlocked.Read(ref _rejected), outcomes,
                Interlocked.Read(ref _promptTokens), Interlocked.Read(ref _cachedPromptTokens), Interlocked.Read(ref _completionTokens),
                _forwardPasses, _prefillTokens, _prefillSeconds, _decodeTokens, _decodeSeconds);
        }
    }
}

/// <summary>A snapshot of <see cref="SchedulerMetrics"/>: admissions, how sequences ended, tokens in and out, and the
/// forward-pass time split between prompt (prefill) and generated (decode) tokens.</summary>
public sealed record SchedulerTotals(long Accepted, long Rejected, IReadOnlyDictionary<SequenceOutcome, long> Outcomes,
    long PromptTokens, long CachedPromptTokens, long CompletionTokens,
    long ForwardPasses, long PrefillTokens, double PrefillSeconds, long DecodeTokens, double DecodeSeconds)
{
    public double PrefillTokensPerSecond => PrefillSeconds > 0 ? PrefillTokens / PrefillSeconds : 0;

    public double DecodeTokensPerSecond => DecodeSeconds > 0 ? DecodeTokens / DecodeSeconds : 0;
}
