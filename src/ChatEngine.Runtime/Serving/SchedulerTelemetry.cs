using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ChatEngine.Runtime.Serving;

/// <summary>
/// The name of the scheduler's <see cref="Meter"/> (one per scheduler) and of its <see cref="ActivitySource"/>: every
/// ended generation becomes a <c>text_completion</c> span, a child of the span that was current when its job was
/// created, with child spans <c>queue_wait</c>, <c>prefill</c> and <c>decode</c>, tagged after OpenTelemetry's GenAI
/// semantic conventions. The spans are written when the sequence ends, with the times it recorded on the way.
/// </summary>
public static class SchedulerTelemetry
{
    public const string Name = "ChatEngine";

    public const string GenerationSpan = "text_completion";

    public static ActivitySource Source { get; } = new(Name);

    internal static void RegisterGauges(Meter meter, InferenceScheduler scheduler)
    {
        meter.CreateObservableGauge("chatengine_slots_total", () => scheduler.SlotCount, null, "Sequence slots (--parallel).");
        meter.CreateObservableGauge("chatengine_slots_active", () => scheduler.ActiveSlots, null, "Slots running a sequence.");
        meter.CreateObservableGauge("chatengine_queue_depth", () => scheduler.QueuedJobs, null, "Accepted requests waiting for a slot.");
        meter.CreateObservableGauge("chatengine_kv_cache_tokens", () => new[]
            {
                new Measurement<int>(scheduler.ActiveKvTokens, new KeyValuePair<string, object?>("state", "active")),
                new Measurement<int>(scheduler.CachedKvTokens, new KeyValuePair<string, object?>("state", "cached")),
            }, null, "KV cache positions in use: by running sequences, or kept by idle slots for prefix reuse.");
        meter.CreateObservableGauge("chatengine_kv_cache_capacity_tokens", () => Capacity(scheduler), null,
            "KV cache positions allocated (slots x context size).");
        meter.CreateObservableGauge("chatengine_kv_cache_usage_ratio", () => (scheduler.ActiveKvTokens + scheduler.CachedKvTokens) / Capacity(scheduler),
            null, "Share of KV cache positions holding keys and values.");
    }

    internal static void TraceEnded(GenerationJob job, SequenceOutcome outcome)
    {
        if (!Source.HasListeners()) return;
        var ended = Stopwatch.GetTimestamp();
        using var generation = Source.StartActivity(GenerationSpan, ActivityKind.Internal, job.TraceParent, startTime: job.UtcAt(job.SubmittedAt));
        if (generation is null) return;
        generation.SetTag("gen_ai.operation.name", GenerationSpan);
        generation.SetTag("gen_ai.request.max_tokens", job.Options.MaxTokens);
        generation.SetTag("gen_ai.usage.input_tokens", job.Prompt.Length);
        generation.SetTag("gen_ai.usage.output_tokens", job.GeneratedTokens);
        generation.SetTag("gen_ai.response.finish_reasons", new[] { outcome.ToString().ToLowerInvariant() });
        generation.SetTag("chatengine.prompt_tokens_cached", job.CachedPromptTokens);
        if (job.ContextShifts > 0) generation.SetTag("chatengine.context_shift_discarded_tokens", job.DiscardedTokens);
        if (outcome == SequenceOutcome.Failed) generation.SetStatus(ActivityStatusCode.Error);
        Child(generation, job, "queue_wait", job.SubmittedAt, job.StartedAt ?? ended);
        if (job.StartedAt is { } started) Child(generation, job, "prefill", started, job.FirstTokenAt ?? ended);
        if (job.FirstTokenAt is { } firstToken) Child(generation, job, "decode", firstToken, ended);
        generation.SetEndTime(job.UtcAt(ended));
    }

    private static void Child(Activity generation, GenerationJob job, string name, long from, long to)
    {
        using var span = Source.StartActivity(name, ActivityKind.Internal, generation.Context, startTime: job.UtcAt(from));
        span?.SetEndTime(job.UtcAt(to));
    }

    private static double Capacity(InferenceScheduler scheduler) => (double)scheduler.SlotCount * scheduler.ContextSize;
}
