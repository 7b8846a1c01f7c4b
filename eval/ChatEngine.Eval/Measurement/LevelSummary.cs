using ChatEngine.Eval.Reports;

namespace ChatEngine.Eval.Measurement;

/// <summary>
/// Aggregates of one concurrency level. Latency and speed distributions cover successful requests only; the duration
/// runs from the level's start to its last response, and throughputs divide by it. <see cref="ErrorRate"/> is failed
/// over all requests that ended (requests cut short by Ctrl+C are not counted at all).
/// </summary>
public sealed record LevelSummary
{
    public required int Concurrency { get; init; }
    public required int Requests { get; init; }
    public required int Succeeded { get; init; }
    public required int Failed { get; init; }
    public required double ErrorRate { get; init; }
    public required IReadOnlyDictionary<string, int> ErrorsByKind { get; init; }
    public required double DurationS { get; init; }
    public required double RequestsPerSecond { get; init; }
    public required long PromptTokens { get; init; }
    public required long OutputTokens { get; init; }

    /// <summary>All output tokens of successful requests over the level duration.</summary>
    public required double OutputTokensPerSecond { get; init; }

    /// <summary>Per request: tokens after the first over the time after the first token.</summary>
    public required Distribution StreamTokensPerSecond { get; init; }
    public required Distribution TtftMs { get; init; }
    public required Distribution ItlMs { get; init; }

    /// <summary>Per request: (e2e − TTFT) / (tokens − 1); requests with one token have none.</summary>
    public required Distribution TpotMs { get; init; }
    public required Distribution E2eMs { get; init; }
    public required int Checked { get; init; }
    public required int ChecksPassed { get; init; }

    /// <summary>Requests that met the run's <see cref="ServiceLevel"/> (null when the run set none).</summary>
    public int? GoodRequests { get; init; }

    /// <summary><see cref="GoodRequests"/> over the level duration: vLLM's goodput.</summary>
    public double? GoodputRequestsPerSecond { get; init; }

    public static LevelSummary From(int concurrency, double durationS, IReadOnlyList<RequestResult> results, ServiceLevel? serviceLevel = null)
    {
        var ok = results.Where(r => r.Succeeded).ToArray();
        var failed = results.Count - ok.Length;
        var seconds = Math.Max(durationS, 1e-9);
        int? good = serviceLevel is null ? null : ok.Count(serviceLevel.IsMetBy);
        return new LevelSummary
        {
            Concurrency = concurrency,
            Requests = results.Count,
            Succeeded = ok.Length,
            Failed = failed,
            ErrorRate = results.Count == 0 ? 0 : (double)failed / results.Count,
            ErrorsByKind = results.Where(r => r.Error is not null)
                .GroupBy(r => ResultJson.EnumName(r.Error!.Value))
                .ToDictionary(g => g.Key, g => g.Count()),
            DurationS = durationS,
            RequestsPerSecond = ok.Length / seconds,
            PromptTokens = ok.Sum(r => (long)(r.PromptTokens ?? 0)),
            OutputTokens = ok.Sum(r => (long)r.CompletionTokens),
            OutputTokensPerSecond = ok.Sum(r => (long)r.CompletionTokens) / seconds,
            StreamTokensPerSecond = Distribution.Of(ok.Select(r => r.StreamTokensPerSecond).OfType<double>()),
            TtftMs = Distribution.Of(ok.Select(r => r.TtftMs).OfType<double>()),
            ItlMs = Distribution.Of(ok.SelectMany(r => r.ItlMs)),
            TpotMs = Distribution.Of(ok.Select(r => r.TpotMs).OfType<double>()),
            E2eMs = Distribution.Of(ok.Select(r => r.E2eMs)),
            Checked = ok.Count(r => r.CheckPassed is not null),
            ChecksPassed = ok.Count(r => r.CheckPassed == true),
            GoodRequests = good,
            GoodputRequestsPerSecond = good / seconds,
        };
    }
}
