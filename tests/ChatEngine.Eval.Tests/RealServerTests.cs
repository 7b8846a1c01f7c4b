using ChatEngine.Eval.Engine;
using ChatEngine.Eval.Http;
using ChatEngine.Eval.Measurement;
using ChatEngine.Eval.Reports;
using ChatEngine.Eval.Running;
using ChatEngine.Eval.Suites;
using ChatEngine.Runtime;
using ChatEngine.Server;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Eval.Tests;

/// <summary>
/// End to end against the real ChatEngine server (stories260K, 127.0.0.1, OS-chosen port) and against the in-process
/// engine on the same model: greedy requests must cost the same tokens through both paths, and fixed-length requests
/// must produce exactly their token count (the server honours ignore_eos).
/// </summary>
public sealed class RealServerTests
{
    private static readonly string ModelPath = TestPaths.Model("stories260K.gguf");

    private static BenchSuite MixedSuite()
    {
        var bench = Path.Combine(TestPaths.RepoRoot, "prompts", "bench");
        var chat = BenchSuite.Load(Path.Combine(bench, "short-chat.jsonl")).Requests.Take(4);
        var fixedLength = BenchSuite.Load(Path.Combine(bench, "fixed-length.jsonl")).Requests.Take(2);
        return new BenchSuite("mixed", "mixed", new string('0', 64), [.. chat, .. fixedLength]);
    }

    private static EvalPlan Plan(BenchSuite suite, string label) =>
        new(suite, "stories260K", [1, 2], RunBudget.ForRequests(suite.Requests.Count), TimeSpan.FromSeconds(120), label, "test");

    [Fact]
    public async Task Http_run_against_the_real_server_matches_the_engine_run_token_for_token()
    {
        var suite = MixedSuite();
        var server = ChatEngineServer.Create(new ServerOptions { ModelPath = ModelPath, Port = 0, Parallel = 2, ContextSize = 512, Threads = 1 });
        EvalResult http;
        try
        {
            await server.StartAsync();
            await server.WaitUntilReadyAsync();
            using var target = new OpenAiChatTarget(server.BaseAddress.ToString(), "stories260K", TimeSpan.FromSeconds(120));
            http = await EvalRunner.RunAsync(Plan(suite, "http"), target, null, CancellationToken.None);
        }
        finally
        {
            await server.DisposeAsync();
        }

        using var model = LanguageModel.Load(ModelPath, 1);
        using var engineTarget = new EngineTarget(model, 2, 512);
        var engine = await EvalRunner.RunAsync(Plan(suite, "engine"), engineTarget, null, CancellationToken.None);

        foreach (var result in new[] { http, engine })
        {
            Assert.Equal(2, result.Levels.Count);
            foreach (var level in result.Levels)
            {
                Assert.Equal(6, level.Summary.Succeeded);
                foreach (var request in level.Requests)
                {
                    Assert.True(request.TtftMs > 0 && request.TtftMs <= request.E2eMs, $"{request.RequestId}: TTFT {request.TtftMs}, e2e {request.E2eMs}");
                    var expectedMax = request.RequestId.StartsWith("fixed", StringComparison.Ordinal) ? 128 : 64;
                    if (expectedMax == 128) Assert.Equal((128, "length"), (request.CompletionTokens, request.FinishReason));
                    else Assert.InRange(request.CompletionTokens, 1, 64);
                }
                Assert.True(level.Summary.OutputTokensPerSecond > 0);
            }
        }
        Assert.All(http.Levels.SelectMany(l => l.Requests), r => Assert.Equal(TokenSource.Usage, r.TokenSource));
        Assert.All(engine.Levels.SelectMany(l => l.Requests), r => Assert.Equal(TokenSource.Engine, r.TokenSource));

        var engineCounts = engine.Levels.SelectMany(l => l.Requests).ToLookup(r => r.RequestId, r => (r.PromptTokens, r.CompletionTokens));
        foreach (var request in http.Levels.SelectMany(l => l.Requests))
            Assert.All(engineCounts[request.RequestId], counts => Assert.Equal(counts, (request.PromptTokens, request.CompletionTokens)));

        var comparison = MarkdownWriter.Write(ComparisonReport.Build([http, engine]));
        Assert.Contains("| concurrency | http | engine |", comparison, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_concurrent_requests_than_slots_all_finish()
    {
        // Requests queue behind 2 slots; a lost wake-up in the scheduler once left them waiting until the next request.
        var suite = MixedSuite();
        var server = ChatEngineServer.Create(new ServerOptions { ModelPath = ModelPath, Port = 0, Parallel = 2, ContextSize = 512, Threads = 1 });
        try
        {
            await server.StartAsync();
            await server.WaitUntilReadyAsync();
            using var target = new OpenAiChatTarget(server.BaseAddress.ToString(), "stories260K", TimeSpan.FromSeconds(60));
            var level = await new LoadRunner(target, suite.Requests).RunLevelAsync(6, RunBudget.ForRequests(12), null, CancellationToken.None);
            Assert.Equal(12, level.Summary.Succeeded);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public void Perplexity_through_the_engine_matches_llama_perplexity()
    {
        using var model = LanguageModel.Load(ModelPath, 1);
        var report = PerplexityReport.Measure(model, TestPaths.Golden("story.txt"), 128);

        // llama-perplexity -m stories260K.gguf -f story.txt -c 128 (tests/data/golden/perplexity.json): 5.2038, 22 chunks, 2863 tokens
        Assert.Equal(22, report.Chunks);
        Assert.Equal(2863, report.Tokens);
        Assert.Equal(5.2038, report.Perplexity, 0.005);
    }
}
