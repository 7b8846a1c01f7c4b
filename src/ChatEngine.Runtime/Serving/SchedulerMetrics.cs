using System.Diagnostics.Metrics;

namespace ChatEngine.Runtime.Serving;

/// <summary>
/// Counters and latency histograms of the <see cref="InferenceScheduler"/>, written by its thread (and by request
/// threads for admissions) and published as instruments of its <see cref="Meter"/>. Throughput is measured over the time
/// spent in forward passes: a step's time is split between its prompt and decode tokens in proportion to their counts.
/// </summary>
public sealed class SchedulerMetrics
{
    private readonly long[] _outcomes = new long[Enum.GetValues<SequenceOutcome>().Length];
    private readonly Lock _throughputGate = new();
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private long _accepted;
    private long _rejected;
    private long _promptTokens;
    private long _cachedPromptTokens;
    private long _completionTokens;
    private long _contextShifts;
    private long _discardedTokens;
    private long _prefillTokens;
    private long _decodeTokens;
    private long _forwardPasses;
    private double _prefillSeconds;
    private double _decodeSeconds;

    internal SchedulerMetrics(Meter meter)
    {
        _timeToFirstToken = meter.CreateHistogram("chatengine_time_to_first_token", "s", "From accepting a request to its first generated token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _interTokenLatency = meter.CreateHistogram("chatengine_inter_token_latency", "s", "Between consecutive generated tokens of one sequence.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5] });
        meter.CreateObservableCounter("chatengine_requests_accepted", () => Interlocked.Read(ref _accepted), null,
            "Generation requests accepted into a slot or the queue.");
        meter.CreateObservableCounter("chatengine_requests_rejected", () => Interlocked.Read(ref _rejected), null,
            "Generation requests answered 429 because slots and queue were full.");
        meter.CreateObservableCounter("chatengine_requests_finished",
            () => Enum.GetValues<SequenceOutcome>().Select(o => new Measurement<long>(Outcomes(o), new KeyValuePair<string, object?>("outcome", o.ToString().ToLowerInvariant()))),
            null, "Sequences that ended, by how they ended.");
        meter.CreateObservableCounter("chatengine_prompt_tokens", () => Interlocked.Read(ref _promptTokens), null,
            "Prompt tokens of started sequences (tokens in).");
        meter.CreateObservableCounter("chatengine_prompt_tokens_cached", () => Interlocked.Read(ref _cachedPromptTokens), null,
            "Prompt tokens reused from the prefix cache instead of evaluated.");
        meter.CreateObservableCounter("chatengine_completion_tokens", () => Interlocked.Read(ref _completionTokens), null,
            "Generated tokens (tokens out).");
        meter.CreateObservableCounter("chatengine_context_shifts", () => Interlocked.Read(ref _contextShifts), null,
            "Context shifts: a sequence that filled its context dropped older tokens and went on (--context-shift).");
        meter.CreateObservableCounter("chatengine_context_shift_discarded_tokens", () => Interlocked.Read(ref _discardedTokens), null,
            "Tokens dropped by context shifts.");
        meter.CreateObservableCounter("chatengine_forward_passes", () => Totals().ForwardPasses, null,
            "Batched forward passes (tokens per pass = prefill + decode tokens over this).");
        meter.CreateObservableCounter("chatengine_prefill_tokens", () => Totals().PrefillTokens, null, "Prompt tokens evaluated by forward passes.");
        meter.CreateObservableCounter("chatengine_prefill", () => Totals().PrefillSeconds, "s", "Forward-pass time attributed to prompt tokens.");
        meter.CreateObservableGauge("chatengine_prefill_tokens_per_second", () => Totals().PrefillTokensPerSecond, null,
            "Prompt tokens evaluated per second of forward-pass time, since start.");
        meter.CreateObservableCounter("chatengine_decode_tokens", () => Totals().DecodeTokens, null, "Generated tokens evaluated by forward passes.");
        meter.CreateObservableCounter("chatengine_decode", () => Totals().DecodeSeconds, "s", "Forward-pass time attributed to generated tokens.");
        meter.CreateObservableGauge("chatengine_decode_tokens_per_second", () => Totals().DecodeTokensPerSecond, null,
            "Generated tokens evaluated per second of forward-pass time (all sequences together), since start.");
    }

    public long Outcomes(SequenceOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    internal void Accepted() => Interlocked.Increment(ref _accepted);

    internal void Rejected() => Interlocked.Increment(ref _rejected);

    internal void Started(int promptTokens, int cachedTokens)
    {
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _cachedPromptTokens, cachedTokens);
    }

    internal void Generated(bool firstToken, TimeSpan sinceLast)
    {
        Interlocked.Increment(ref _completionTokens);
        (firstToken ? _timeToFirstToken : _interTokenLatency).Record(sinceLast.TotalSeconds);
    }

    internal void ContextShifted(int discarded)
    {
        Interlocked.Increment(ref _contextShifts);
        Interlocked.Add(ref _discardedTokens, discarded);
    }

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
