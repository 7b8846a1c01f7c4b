using ChatEngine.Runtime.Serving;

namespace ChatEngine.Server.Metrics;

/// <summary>The serving engine's counters, gauges and latency histograms as Prometheus metric families.</summary>
internal static class SchedulerMetricsText
{
    public static void Write(PrometheusText text, InferenceScheduler scheduler)
    {
        var totals = scheduler.Metrics.Totals();
        text.Counter("chatengine_requests_accepted_total", "Generation requests accepted into a slot or the queue.", totals.Accepted);
        text.Counter("chatengine_requests_rejected_total", "Generation requests answered 429 because slots and queue were full.", totals.Rejected);
        text.Labeled("chatengine_requests_finished_total", "counter", "Sequences that ended, by how they ended.", "outcome",
            totals.Outcomes.Select(o => (o.Key.ToString().ToLowerInvariant(), (double)o.Value)));
        text.Counter("chatengine_prompt_tokens_total", "Prompt tokens of started sequences (tokens in).", totals.PromptTokens);
        text.Counter("chatengine_prompt_tokens_cached_total", "Prompt tokens reused from the prefix cache instead of evaluated.", totals.CachedPromptTokens);
        text.Counter("chatengine_completion_tokens_total", "Generated tokens (tokens out).", totals.CompletionTokens);
        text.Counter("chatengine_forward_passes_total", "Batched forward passes (tokens per pass = prefill + decode tokens over this).", totals.ForwardPasses);
        text.Counter("chatengine_prefill_tokens_total", "Prompt tokens evaluated by forward passes.", totals.PrefillTokens);
        text.Counter("chatengine_prefill_seconds_total", "Forward-pass time attributed to prompt tokens.", totals.PrefillSeconds);
        text.Gauge("chatengine_prefill_tokens_per_second", "Prompt tokens evaluated per second of forward-pass time, since start.", totals.PrefillTokensPerSecond);
        text.Counter("chatengine_decode_tokens_total", "Generated tokens evaluated by forward passes.", totals.DecodeTokens);
        text.Counter("chatengine_decode_seconds_total", "Forward-pass time attributed to generated tokens.", totals.DecodeSeconds);
        text.Gauge("chatengine_decode_tokens_per_second", "Generated tokens evaluated per second of forward-pass time (all sequences together), since start.", totals.DecodeTokensPerSecond);
        text.Histogram("chatengine_time_to_first_token_seconds", "From accepting a request to its first generated token.", scheduler.Metrics.TimeToFirstToken);
        text.Histogram("chatengine_inter_token_latency_seconds", "Between consecutive generated tokens of one sequence.", scheduler.Metrics.InterTokenLatency);

        text.Gauge("chatengine_slots_total", "Sequence slots (--parallel).", scheduler.SlotCount);
        text.Gauge("chatengine_slots_active", "Slots running a sequence.", scheduler.ActiveSlots);
        text.Gauge("chatengine_queue_depth", "Accepted requests waiting for a slot.", scheduler.QueuedJobs);
        var active = scheduler.ActiveKvTokens;
        var cached = scheduler.CachedKvTokens;
        text.Labeled("chatengine_kv_cache_tokens", "gauge", "KV cache positions in use: by running sequences, or kept by idle slots for prefix reuse.",
            "state", [("active", active), ("cached", cached)]);
        var capacity = (double)scheduler.SlotCount * scheduler.ContextSize;
        text.Gauge("chatengine_kv_cache_capacity_tokens", "KV cache positions allocated (slots x context size).", capacity);
        text.Gauge("chatengine_kv_cache_usage_ratio", "Share of KV cache positions holding keys and values.", (active + cached) / capacity);
    }
}
