namespace ChatEngine.Eval.Running;

/// <summary>How long each concurrency level runs: a number of requests, or a duration after which no new request starts.</summary>
public sealed record RunBudget
{
    private RunBudget(int? requests, TimeSpan? duration)
    {
        Requests = requests;
        Duration = duration;
    }

    public int? Requests { get; }
    public TimeSpan? Duration { get; }

    public static RunBudget ForRequests(int requests) =>
        requests >= 1 ? new RunBudget(requests, null) : throw new ArgumentOutOfRangeException(nameof(requests), requests, "--requests must be at least 1");

    public static RunBudget ForDuration(TimeSpan duration) =>
        duration > TimeSpan.Zero ? new RunBudget(null, duration) : throw new ArgumentOutOfRangeException(nameof(duration), duration, "--duration must be positive");

    /// <summary>Whether request number <paramref name="index"/> (0-based) may start after <paramref name="elapsed"/>.</summary>
    public bool Allows(int index, TimeSpan elapsed) => Requests is { } n ? index < n : elapsed < Duration!.Value;
}
