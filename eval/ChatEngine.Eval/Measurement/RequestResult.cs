using System.Text.Json.Serialization;

namespace ChatEngine.Eval.Measurement;

/// <summary>
/// What the client saw for one request. Times are milliseconds; <see cref="StartMs"/> is relative to the start of
/// its concurrency level. TTFT runs from sending the request to the first event with content; the inter-token
/// latencies are the gaps between consecutive content events; end-to-end runs to the end of the stream.
/// </summary>
public sealed record RequestResult
{
    public required string RequestId { get; init; }
    public double StartMs { get; init; }
    public double E2eMs { get; init; }
    public double? TtftMs { get; init; }
    public IReadOnlyList<double> ItlMs { get; init; } = [];
    public int? PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public TokenSource TokenSource { get; init; }
    public string? FinishReason { get; init; }
    public ErrorKind? Error { get; init; }
    public int? HttpStatus { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>Null when the request has no check or failed; otherwise whether its answer passed.</summary>
    public bool? CheckPassed { get; init; }

    /// <summary>The answer, kept only when a check failed (to see why).</summary>
    public string? FailedAnswer { get; init; }

    [JsonIgnore]
    public bool Succeeded => Error is null;

    /// <summary>Decode speed seen by this client: tokens after the first over the time after the first.</summary>
    [JsonIgnore]
    public double? StreamTokensPerSecond =>
        Succeeded && TtftMs is { } ttft && CompletionTokens > 1 && E2eMs > ttft ? (CompletionTokens - 1) / ((E2eMs - ttft) / 1000) : null;

    /// <summary>Time per output token after the first, in ms: (e2e − TTFT) / (tokens − 1), as vLLM's benchmark defines it.</summary>
    [JsonIgnore]
    public double? TpotMs =>
        Succeeded && TtftMs is { } ttft && CompletionTokens > 1 ? (E2eMs - ttft) / (CompletionTokens - 1) : null;
}
