namespace ChatEngine.Templates.Tests;

/// <summary>A clock stopped at one instant, in a UTC local zone (the golden data uses 2025-02-20T12:00:00).</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public static FixedTimeProvider GoldenClock { get; } = new(new DateTimeOffset(2025, 2, 20, 12, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
