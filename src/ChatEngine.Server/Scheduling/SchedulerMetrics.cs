using ChatEngine.Server.Metrics;

namespace ChatEngine.Server.Scheduling;

/// <summary>
/// Counters and latency histograms of the <see cref="InferenceScheduler"/>, written by its thread (and by request
/// threads for admissions) and read by <c>GET /metrics</c>. Throughput is measured over the time spent in forward
/// passes: a step's time is split between its prompt and decode tokens in proportion to their counts.
/// </summary>
internal sealed class SchedulerMetrics
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

    public void Accepted() => Interlocked.Increment(ref _accepted);

    public void Rejected() => Interlocked.Increment(ref _rejected);

    public void Started(int promptTokens, int cachedTokens)
    {
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _cachedPromptTokens, cachedTokens);
    }

    public void Generated() => Interlocked.Increment(ref _completionTokens);

    public void Ended(SequenceOutcome outcome) => Interlocked.Increment(ref _outcomes[(int)outcome]);

    public void Forward(int prefillTokens, int decodeTokens, double seconds)
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

    public void WriteTo(PrometheusText text)
    {
        text.Counter("chatengine_requests_accepted_total", "Generation requests accepted into a slot or the queue.", Interlocked.Read(ref _accepted));
        text.Counter("chatengine_requests_rejected_total", "Generation requests answered 429 because slots and queue were full.", Interlocked.Read(ref _rejected));
        text.Labeled("chatengine_requests_finished_total", "counter", "Sequences that ended, by how they ended.", "outcome",
            Enum.GetValues<SequenceOutcome>().Select(o => (o.ToString().ToLowerInvariant(), (double)Outcomes(o))));
        text.Counter("chatengine_prompt_tokens_total", "Prompt tokens of started sequences (tokens in).", Interlocked.Read(ref _promptTokens));
        text.Counter("chatengine_prompt_tokens_cached_total", "Prompt tokens reused from the prefix cache instead of evaluated.", Interlocked.Read(ref _cachedPromptTokens));
        text.Counter("chatengine_completion_tokens_total", "Generated tokens (tokens out).", Interlocked.Read(ref _completionTokens));
        lock (_throughputGate)
        {
            text.Counter("chatengine_forward_passes_total", "Batched forward passes (tokens per pass = prefill + decode tokens over this).", _forwardPasses);
            text.Counter("chatengine_prefill_tokens_total", "Prompt tokens evaluated by forward passes.", _prefillTokens);
            text.Counter("chatengine_prefill_seconds_total", "Forward-pass time attributed to prompt tokens.", _prefillSeconds);
            text.Gauge("chatengine_prefill_tokens_per_second", "Prompt tokens evaluated per second of forward-pass time, since start.", Rate(_prefillTokens, _prefillSeconds));
            text.Counter("chatengine_decode_tokens_total", "Generated tokens evaluated by forward passes.", _decodeTokens);
            text.Counter("chatengine_decode_seconds_total", "Forward-pass time attributed to generated tokens.", _decodeSeconds);
            text.Gauge("chatengine_decode_tokens_per_second", "Generated tokens evaluated per second of forward-pass time (all sequences together), since start.", Rate(_decodeTokens, _decodeSeconds));
        }
        text.Histogram("chatengine_time_to_first_token_seconds", "From accepting a request to its first generated token.", TimeToFirstToken);
        text.Histogram("chatengine_inter_token_latency_seconds", "Between consecutive generated tokens of one sequence.", InterTokenLatency);
    }

    private static double Rate(long tokens, double seconds) => seconds > 0 ? tokens / seconds : 0;
}
