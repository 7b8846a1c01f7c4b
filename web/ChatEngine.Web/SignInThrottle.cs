namespace ChatEngine.Web;

/// <summary>
/// Sign-in attempts refused for a while after <see cref="MaxFailures"/> failures within <see cref="Window"/> for one user
/// name (whatever its case, as names are matched) or from one client address, so that a password cannot be guessed at
/// speed. In memory: a restart forgets it. A refused attempt is not checked and does not count, so the refusal lifts
/// when the oldest of those failures leaves the window.
/// </summary>
internal sealed class SignInThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>Past this many names and addresses, those whose failures have all left the window are forgotten.</summary>
    private const int PruneAbove = 10_000;

    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = [];
    private readonly Lock _lock = new();

    /// <summary>How long until an attempt for <paramref name="userName"/> from <paramref name="address"/> is allowed; zero when it is now.</summary>
    public TimeSpan RetryAfter(string? userName, string? address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var wait = TimeSpan.Zero;
            foreach (var key in Keys(userName, address))
            {
                if (_failures.TryGetValue(key, out var times) && Recent(times, now) >= MaxFailures && times.Peek() + Window - now > wait)
                    wait = times.Peek() + Window - now;
            }
            return wait;
        }
    }

    public void Failed(string? userName, string? address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_failures.Count > PruneAbove)
            {
                foreach (var (key, times) in _failures)
                {
                    if (Recent(times, now) == 0) _failures.Remove(key);
                }
            }
            foreach (var key in Keys(userName, address))
            {
                if (!_failures.TryGetValue(key, out var times)) _failures[key] = times = new Queue<DateTimeOffset>(MaxFailures);
                Recent(times, now);
                if (times.Count == MaxFailures) times.Dequeue();
                times.Enqueue(now);
            }
        }
    }

    /// <summary>Forgets the name's failures (not the address's: one good account must not reset a guesser's count).</summary>
    public void Succeeded(string userName)
    {
        lock (_lock) _failures.Remove(NameKey(userName));
    }

    /// <summary>Drops the failures that have left the window; how many remain.</summary>
    private static int Recent(Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.Count > 0 && times.Peek() <= now - Window) times.Dequeue();
        return times.Count;
    }

    private static IEnumerable<string> Keys(string? userName, string? address)
    {
        if (userName is { Length: > 0 }) yield return NameKey(userName);
        if (address is { Length: > 0 }) yield return $"address:{address}";
    }

    private static string NameKey(string userName) => $"name:{userName.ToUpperInvariant()}";
}
