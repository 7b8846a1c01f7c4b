using System.Collections.Concurrent;
using ChatEngine.Eval.Http;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Running;
using ChatEngine.Eval.Suites;
using ChatEngine.Gguf;
using ChatEngine.Server;
using ChatEngine.TestData;
using ChatEngine.Text;
using Xunit;

namespace ChatEngine.Eval.Tests;

/// <summary>
/// The load-generator parts that `vllm bench serve` users expect: the synthetic random workload, open-loop Poisson
/// arrivals capped by the concurrency, goodput under a service level, TPOT, and /v1/completions as the target.
/// </summary>
public sealed class LoadGeneratorTests
{
    [SharedFact]
    public void Random_prompts_have_their_drawn_token_counts_with_GPT2_BPE_and_no_shared_prefix_beyond_the_number()
    {
        using var file = GgufFile.Open(TestPaths.Shared("vocab", "ggml-vocab-gpt-2.gguf"));
        var tokenizer = Tokenizer.FromGguf(file.Metadata);
        var suite = new RandomWorkload(64, 32, 0.5, Seed: 7).Build(50);

        Assert.Equal(50, suite.Requests.Select(r => r.Messages[0]!["content"]!.GetValue<string>()).Distinct().Count());
        var inputLengths = new List<int>();
        foreach (var request in suite.Requests)
        {
            var text = request.Messages[0]!["content"]!.GetValue<string>();
            var tokens = tokenizer.Encode(text, addSpecial: false).Length;
            inputLengths.Add(tokens);
            Assert.InRange(tokens, 32, 96);
            Assert.StartsWith($"{request.Id.Replace("random", "Request ", StringComparison.Ordinal)}:", text, StringComparison.Ordinal);
            Assert.InRange(request.MaxTokens, 16, 48);
            Assert.Equal(request.MaxTokens, request.FixedOutputTokens);
        }
        // Lengths are drawn, not fixed: a range ratio of 0.5 spreads them.
        Assert.True(inputLengths.Distinct().Count() > 10, string.Join(",", inputLengths));
        // Without a range every prompt is exactly the asked length: one token per word, three for "Request i:".
        Assert.All(new RandomWorkload(64, 32, 0, Seed: 7).Build(50).Requests,
            r => Assert.Equal(64, tokenizer.Encode(r.Messages[0]!["content"]!.GetValue<string>(), addSpecial: false).Length));
    }

    [Fact]
    public void The_same_seed_builds_the_same_workload_and_another_seed_another()
    {
        static string[] Texts(int seed) => new RandomWorkload(20, 8, 0.2, seed).Build(5).Requests
            .Select(r => $"{r.Messages[0]!["content"]}|{r.MaxTokens}").ToArray();
        Assert.Equal(Texts(1), Texts(1));
        Assert.NotEqual(Texts(1), Texts(2));
        Assert.Throws<ArgumentException>(() => new RandomWorkload(20, 8, 1.0, 0).Build(1));
        Assert.Throws<ArgumentException>(() => new RandomWorkload(0, 8, 0, 0).Build(1));
    }

    [Fact]
    public void Poisson_arrivals_have_exponential_gaps_at_the_requested_mean_rate()
    {
        var schedule = new ArrivalSchedule(requestsPerSecond: 20, seed: 3);
        const int n = 20_000;
        var gaps = Enumerable.Range(1, n).Select(i => (schedule.OffsetOf(i) - schedule.OffsetOf(i - 1)).TotalSeconds).ToArray();
        Assert.Equal(TimeSpan.Zero, schedule.OffsetOf(0));
        Assert.All(gaps, gap => Assert.True(gap >= 0));
        Assert.Equal(1 / 20.0, gaps.Average(), 0.05 / 20); // mean within 5% (the standard error is 0.7%)
        // An exponential distribution's median is ln 2 times its mean.
        Assert.Equal(Math.Log(2) / 20, gaps.Order().ElementAt(n / 2), 0.05 / 20);
        Assert.Equal(new ArrivalSchedule(20, 3).OffsetOf(100), schedule.OffsetOf(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ArrivalSchedule(0, 1));
    }

    [Fact]
    public async Task With_a_request_rate_no_request_starts_before_its_arrival_and_the_concurrency_caps_those_in_flight()
    {
        var target = new CountingTarget();
        var suite = new RandomWorkload(8, 4, 0, 0).Build(1);
        var arrivals = new ArrivalSchedule(200, seed: 5);
        var level = await new LoadRunner(target, suite.Requests).RunLevelAsync(2, RunBudget.ForRequests(30), null, CancellationToken.None, arrivals: arrivals);

        Assert.Equal(30, level.Summary.Succeeded);
        Assert.True(target.MostInFlight <= 2, $"{target.MostInFlight} requests in flight with concurrency 2");
        var starts = target.StartsMs.Order().ToArray();
        for (var i = 0; i < starts.Length; i++)
            Assert.True(starts[i] >= arrivals.OffsetOf(i).TotalMilliseconds, $"request {i} started at {starts[i]} ms, before its arrival at {arrivals.OffsetOf(i).TotalMilliseconds} ms");
    }

    [Fact]
    public void Goodput_counts_the_successful_requests_within_every_bound()
    {
        RequestResult[] results =
        [
            new() { RequestId = "fast", E2eMs = 1000, TtftMs = 100, CompletionTokens = 10 },  // TPOT 100
            new() { RequestId = "slow start", E2eMs = 1000, TtftMs = 600, CompletionTokens = 5 },  // TPOT 100
            new() { RequestId = "slow tokens", E2eMs = 2100, TtftMs = 100, CompletionTokens = 11 },  // TPOT 200
            new() { RequestId = "one token", E2eMs = 300, TtftMs = 300, CompletionTokens = 1 },  // no TPOT
            new() { RequestId = "failed", E2eMs = 5, Error = ErrorKind.Connection },
        ];
        var summary = LevelSummary.From(2, 2.0, results, ServiceLevel.Parse("ttft:500,tpot:150"));
        Assert.Equal(2, summary.GoodRequests);
        Assert.Equal(1.0, summary.GoodputRequestsPerSecond!.Value, 12);
        Assert.Equal(100, summary.TpotMs.P50!.Value, 12);
        Assert.Equal(200, summary.TpotMs.Max!.Value, 12);
        Assert.Null(LevelSummary.From(2, 2.0, results).GoodRequests);
        Assert.Equal(1, LevelSummary.From(2, 2.0, results, ServiceLevel.Parse("e2el:500")).GoodRequests);
    }

    [Theory]
    [InlineData("ttft")]
    [InlineData("ttft:")]
    [InlineData("ttft:-1")]
    [InlineData("ttft:abc")]
    [InlineData("itl:5")]
    [InlineData("")]
    public void A_bad_goodput_objective_names_the_flag(string text) =>
        Assert.Contains("--goodput", Assert.Throws<ArgumentException>(() => ServiceLevel.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task Random_workload_through_v1_completions_of_the_real_server_returns_exactly_each_requests_token_count()
    {
        var suite = new RandomWorkload(24, 20, 0.5, Seed: 11).Build(8);
        var server = ChatEngineServer.Create(new ServerOptions { ModelPath = TestPaths.Model("stories260K.gguf"), Port = 0, Parallel = 4, ContextSize = 512, Threads = 1 });
        try
        {
            await server.StartAsync();
            await server.WaitUntilReadyAsync();
            using var target = new OpenAiChatTarget(server.BaseAddress.ToString(), "stories260K", TimeSpan.FromSeconds(60), api: OpenAiApi.Completions);
            Assert.EndsWith("/v1/completions", target.Location, StringComparison.Ordinal);
            var level = await new LoadRunner(target, suite.Requests).RunLevelAsync(4, RunBudget.ForRequests(8), null, CancellationToken.None,
                arrivals: new ArrivalSchedule(50, seed: 1), serviceLevel: ServiceLevel.Parse("e2el:600000"));

            Assert.Equal(8, level.Summary.Succeeded);
            Assert.Equal(8, level.Summary.GoodRequests);
            var expected = suite.Requests.ToDictionary(r => r.Id, r => r.MaxTokens);
            Assert.All(level.Requests, r => Assert.Equal((expected[r.RequestId], "length", TokenSource.Usage), (r.CompletionTokens, r.FinishReason, r.TokenSource)));
            Assert.Equal(8, level.Summary.TpotMs.Count);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("http://h:1", "http://h:1/v1/completions")]
    [InlineData("http://h:1/v1", "http://h:1/v1/completions")]
    [InlineData("http://h:1/v1/chat/completions", "http://h:1/v1/completions")]
    [InlineData("http://h:1/v1/completions", "http://h:1/v1/completions")]
    public void Completions_endpoint_from_any_base(string endpoint, string expected) =>
        Assert.Equal(expected, OpenAiChatTarget.EndpointUri(endpoint, OpenAiApi.Completions).ToString());

    /// <summary>Answers at once after a short await, recording when each request started and how many overlapped.</summary>
    private sealed class CountingTarget : IRequestTarget
    {
        private int _inFlight;

        public ConcurrentBag<double> StartsMs { get; } = [];
        public int MostInFlight { get; private set; }
        public string Kind => "test";
        public string Location => "memory";

        public async Task<RequestResult> SendAsync(BenchRequest request, long levelStartTimestamp, CancellationToken cancellation)
        {
            StartsMs.Add(System.Diagnostics.Stopwatch.GetElapsedTime(levelStartTimestamp).TotalMilliseconds);
            var now = Interlocked.Increment(ref _inFlight);
            lock (StartsMs) MostInFlight = Math.Max(MostInFlight, now);
            await Task.Yield();
            Interlocked.Decrement(ref _inFlight);
            return new RequestResult { RequestId = request.Id, E2eMs = 1, TtftMs = 1, CompletionTokens = 1 };
        }

        public void Dispose()
        {
        }
    }
}
