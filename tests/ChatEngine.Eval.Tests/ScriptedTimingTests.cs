using ChatEngine.Eval.Http;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Running;
using ChatEngine.Eval.Suites;
using Xunit;

namespace ChatEngine.Eval.Tests;

/// <summary>
/// The harness against <see cref="FakeOpenAiServer"/> with scripted delays: the computed percentiles and throughputs
/// must match the values the script implies. A measured time can only exceed its scripted delay (by scheduling and
/// transport overhead on a busy 2-core box), so each check is "at least the scripted value, at most a bounded slack above"
/// (the larger of a fixed slack and a share of the value). The class runs alone, not beside the CPU-heavy test classes.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ScriptedTimingTests(FakeServerFixture fixture) : IClassFixture<FakeServerFixture>
{
    private FakeOpenAiServer Server => fixture.Server;

    /// <summary>A runner after one unmeasured request, so JIT and connection set-up stay out of the timings.</summary>
    private static async Task<LoadRunner> WarmedUp(OpenAiChatTarget target, BenchSuite suite)
    {
        await target.SendAsync(FakeScript.Suite(new FakeScript(0, 0, 2)).Requests[0], System.Diagnostics.Stopwatch.GetTimestamp(), CancellationToken.None);
        return new LoadRunner(target, suite.Requests);
    }

    private static void AtLeastAbout(double expected, double? measured, double slackMs, string what)
    {
        Assert.NotNull(measured);
        Assert.True(measured >= expected - 1, $"{what}: measured {measured:F2} ms is below the scripted {expected} ms");
        var slack = Math.Max(slackMs, expected * 0.5);
        Assert.True(measured <= expected + slack, $"{what}: measured {measured:F2} ms is more than {slack} ms above the scripted {expected} ms");
    }

    [Fact]
    public async Task Ttft_and_itl_percentiles_match_the_script()
    {
        // TTFTs 50, 100, ..., 500 ms: p50 = 275, p90 = 455, p99 = 495.5 (linear interpolation); every gap is 20 ms.
        var suite = FakeScript.Suite([.. Enumerable.Range(1, 10).Select(i => new FakeScript(TtftMs: 50 * i, ItlMs: 20, Tokens: 5))]);
        using var target = new OpenAiChatTarget(Server.Endpoint, "fake", TimeSpan.FromSeconds(30));
        var level = await (await WarmedUp(target, suite)).RunLevelAsync(1, RunBudget.ForRequests(10), null, CancellationToken.None);

        var summary = level.Summary;
        Assert.Equal(10, summary.Succeeded);
        Assert.Equal(0, summary.Failed);
        for (var i = 0; i < 10; i++) AtLeastAbout(50 * (i + 1), level.Requests[i].TtftMs, 150, $"request {i} TTFT");
        AtLeastAbout(275, summary.TtftMs.P50, 150, "TTFT p50");
        AtLeastAbout(455, summary.TtftMs.P90, 150, "TTFT p90");
        AtLeastAbout(495.5, summary.TtftMs.P99, 150, "TTFT p99");
        Assert.Equal(40, summary.ItlMs.Count);
        AtLeastAbout(20, summary.ItlMs.P50, 40, "ITL p50");
        Assert.All(level.Requests, r => Assert.Equal(TokenSource.Usage, r.TokenSource));
        Assert.Equal(50, summary.OutputTokens);
        Assert.Equal(70, summary.PromptTokens);
    }

    [Fact]
    public async Task Throughputs_match_the_script_at_concurrency_4()
    {
        // Each request: first token after 100 ms, 9 more 50 ms apart => 550 ms, 10 tokens, 20 tok/s per stream after
        // the first. 8 requests on 4 workers => two waves, 1.1 s: 80 tokens => 72.7 tok/s, 7.27 req/s.
        var suite = FakeScript.Suite(new FakeScript(TtftMs: 100, ItlMs: 50, Tokens: 10));
        using var target = new OpenAiChatTarget(Server.Endpoint, "fake", TimeSpan.FromSeconds(30));
        var summary = (await (await WarmedUp(target, suite)).RunLevelAsync(4, RunBudget.ForRequests(8), null, CancellationToken.None)).Summary;

        Assert.Equal(8, summary.Succeeded);
        Assert.Equal(80, summary.OutputTokens);
        AtLeastAbout(550, summary.E2eMs.P50, 200, "e2e p50");
        AtLeastAbout(1100, summary.DurationS * 1000, 500, "level duration");
        // Wrong formulas land far outside: e.g. tokens over summed e2e would give 18 tok/s, over one request's e2e 145.
        Assert.InRange(summary.OutputTokensPerSecond, 80 / 2.0, 80 / 1.1 + 0.5);
        Assert.InRange(summary.RequestsPerSecond, 8 / 2.0, 8 / 1.1 + 0.05);
        Assert.InRange(summary.StreamTokensPerSecond.Mean!.Value, 9 / 0.7, 9 / 0.45 + 0.2);
        Assert.Equal(8 * 9, summary.ItlMs.Count);
    }

    [Fact]
    public async Task Duration_budget_stops_starting_requests_when_time_is_up()
    {
        var suite = FakeScript.Suite(new FakeScript(TtftMs: 100, ItlMs: 10, Tokens: 3));
        using var target = new OpenAiChatTarget(Server.Endpoint, "fake", TimeSpan.FromSeconds(30));
        var level = await (await WarmedUp(target, suite)).RunLevelAsync(2, RunBudget.ForDuration(TimeSpan.FromSeconds(1)), null, CancellationToken.None);

        // ~120 ms per request on 2 workers over 1 s: at most 2 * ceil(1000 / 120) = 18 requests; the last ones are let
        // through before 1 s. A request's recorded start is when its HTTP call goes out, a moment after the runner let it
        // through (seen: 1000 ms for one let through at 999.x), so allow that dispatch time; one started after the budget
        // would follow a ~120 ms request and show up far later.
        const double dispatchMs = 50;
        Assert.InRange(level.Summary.Requests, 4, 18);
        Assert.All(level.Requests, r => Assert.True(r.StartMs < 1000 + dispatchMs, $"request started at {r.StartMs} ms"));
        Assert.InRange(level.Summary.DurationS, 1.0, 1.0 + 1.0);
    }

    [Fact]
    public async Task Ctrl_c_stops_the_run_promptly_and_keeps_what_finished()
    {
        var suite = FakeScript.Suite(new FakeScript(TtftMs: 30, ItlMs: 10, Tokens: 5));
        using var target = new OpenAiChatTarget(Server.Endpoint, "fake", TimeSpan.FromSeconds(30));
        var plan = new EvalPlan(suite, "fake", [2, 4], RunBudget.ForDuration(TimeSpan.FromSeconds(60)), TimeSpan.FromSeconds(30), "fake", null);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await EvalRunner.RunAsync(plan, target, null, stop.Token);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the run took {watch.Elapsed} after cancellation at 0.8 s");
        Assert.True(result.Interrupted);
        var level = Assert.Single(result.Levels);
        Assert.Equal(2, level.Summary.Concurrency);
        Assert.True(level.Requests.Count >= 2, $"only {level.Requests.Count} requests finished");
        Assert.All(level.Requests, r => Assert.True(r.Succeeded));
        Assert.Equal(level.Requests.Count, level.Summary.Requests);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
