using System.Net;
using System.Net.Sockets;
using ChatEngine.Eval.Http;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Reports;
using ChatEngine.Eval.Running;
using Xunit;

namespace ChatEngine.Eval.Tests;

/// <summary>Unreachable endpoints, HTTP errors, malformed SSE, dropped streams and timeouts are counted and reported; the run goes on.</summary>
public sealed class ErrorPathTests(FakeServerFixture fixture) : IClassFixture<FakeServerFixture>
{
    private FakeOpenAiServer Server => fixture.Server;

    [Fact]
    public async Task Every_kind_of_failure_is_counted_and_the_good_requests_still_succeed()
    {
        var suite = FakeScript.Suite(
            new FakeScript(10, 5, 4),
            new FakeScript(10, 5, 4, Fail: "status", Status: 500),
            new FakeScript(10, 5, 4, Fail: "malformed"),
            new FakeScript(10, 5, 4, Fail: "drop"),
            new FakeScript(10, 5, 4, Fail: "error_event"),
            new FakeScript(10, 5, 4, Fail: "truncate"),
            new FakeScript(10, 5, 4, Fail: "json"),
            new FakeScript(10, 5, 4, Fail: "status", Status: 429),
            new FakeScript(10, 5, 4));
        using var target = new OpenAiChatTarget(Server.Endpoint, "fake", TimeSpan.FromSeconds(30));
        var level = await new LoadRunner(target, suite.Requests).RunLevelAsync(3, RunBudget.ForRequests(9), null, CancellationToken.None);

        var byId = level.Requests.ToDictionary(r => r.RequestId);
        Assert.True(byId["r0"].Succeeded);
        Assert.True(byId["r8"].Succeeded);
        Assert.Equal((ErrorKind.HttpStatus, 500), (byId["r1"].Error!.Value, byId["r1"].HttpStatus!.Value));
        Assert.Contains("scripted failure", byId["r1"].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.MalformedStream, byId["r2"].Error);
        Assert.Equal(ErrorKind.Truncated, byId["r3"].Error);
        Assert.Equal(ErrorKind.StreamError, byId["r4"].Error);
        Assert.Contains("scripted stream error", byId["r4"].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Truncated, byId["r5"].Error);
        Assert.Equal(ErrorKind.MalformedStream, byId["r6"].Error);
        Assert.Equal(429, byId["r7"].HttpStatus);

        var summary = level.Summary;
        Assert.Equal(9, summary.Requests);
        Assert.Equal(2, summary.Succeeded);
        Assert.Equal(7 / 9.0, summary.ErrorRate, 12);
        Assert.Equal(new Dictionary<string, int> { ["http_status"] = 2, ["malformed_stream"] = 2, ["truncated"] = 2, ["stream_error"] = 1 },
            summary.ErrorsByKind.ToDictionary());
        Assert.Equal(8, summary.OutputTokens);

        var markdown = MarkdownWriter.Write(RunReport.Build(Result(level)));
        Assert.Contains("7 of 9 failed (77.8%)", markdown, StringComparison.Ordinal);
        Assert.Contains("`r1`: HTTP 500: scripted failure", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_gives_connection_errors_for_every_request_and_a_report()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var suite = FakeScript.Suite(new FakeScript(10, 5, 4));
        using var target = new OpenAiChatTarget($"http://127.0.0.1:{port}", "fake", TimeSpan.FromSeconds(30));
        var plan = new EvalPlan(suite, "fake", [1, 2], RunBudget.ForRequests(3), TimeSpan.FromSeconds(30), "nobody home", null);
        var result = await EvalRunner.RunAsync(plan, target, null, CancellationToken.None);

        Assert.Equal(2, result.Levels.Count);
        Assert.All(result.Levels, level =>
        {
            Assert.Equal(3, level.Summary.Failed);
            Assert.Equal(1.0, level.Summary.ErrorRate);
            Assert.All(level.Requests, r => Assert.Equal(ErrorKind.Connection, r.Error));
            Assert.Null(level.Summary.TtftMs.P50);
        });
        var html = HtmlWriter.Write(RunReport.Build(result));
        Assert.Contains("3 of 3 failed", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_slower_than_the_timeout_is_a_timeout_error()
    {
        var suite = FakeScript.Suite(new FakeScript(TtftMs: 3000, ItlMs: 5, Tokens: 2));
        using var target = new OpenAiChatTarget(Server.Endpoint, "fake", TimeSpan.FromMilliseconds(300));
        var level = await new LoadRunner(target, suite.Requests).RunLevelAsync(1, RunBudget.ForRequests(1), null, CancellationToken.None);

        var request = Assert.Single(level.Requests);
        Assert.Equal(ErrorKind.Timeout, request.Error);
        Assert.InRange(request.E2eMs, 290, 2500);
    }

    [Fact]
    public async Task Without_usage_the_tokens_are_counted_from_content_events()
    {
        var suite = FakeScript.Suite(new FakeScript(10, 5, 6, Usage: false));
        using var target = new OpenAiChatTarget(Server.Endpoint, "fake", TimeSpan.FromSeconds(30));
        var request = Assert.Single((await new LoadRunner(target, suite.Requests).RunLevelAsync(1, RunBudget.ForRequests(1), null, CancellationToken.None)).Requests);

        Assert.True(request.Succeeded);
        Assert.Equal(TokenSource.Chunks, request.TokenSource);
        Assert.Equal(6, request.CompletionTokens);
        Assert.Null(request.PromptTokens);
    }

    private static EvalResult Result(LevelResult level) => new()
    {
        Label = "fake",
        CreatedUtc = DateTimeOffset.UtcNow,
        Target = new TargetInfo("http", "fake", "fake"),
        Suite = new SuiteInfo("scripted", "scripted.jsonl", new string('0', 64), 9),
        Settings = new RunSettings([3], 9, null, 30, 0),
        Machine = MachineInfo.Current(null),
        Levels = [level],
    };
}
