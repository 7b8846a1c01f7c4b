using System.Diagnostics;
using System.Text.Json.Nodes;
using ChatEngine.Eval.Engine;
using ChatEngine.Eval.Suites;
using ChatEngine.Runtime;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Eval.Tests;

public sealed class EngineTargetTests
{
    private static BenchRequest Request(string id, string user) => new()
    {
        Id = id,
        Messages = [new JsonObject { ["role"] = "user", ["content"] = user }],
        MaxTokens = 24,
        Temperature = 0,
    };

    [Fact]
    public async Task Concurrent_requests_share_forward_passes_and_a_repeated_prompt_hits_the_prefix_cache()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), 1);
        using var target = new EngineTarget(model, 2, 256);
        var scheduler = target.Scheduler;
        // No token is sampled before both requests reached the engine (the thread that would admit the second is the one
        // waiting here, so a queued job counts): whether they overlap is then the engine's doing.
        var bothArrived = false;
        scheduler.BeforeSampling = _ => bothArrived = bothArrived || SpinWait.SpinUntil(() => scheduler.ActiveSlots + scheduler.QueuedJobs >= 2, TimeSpan.FromSeconds(30));
        var start = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(target.SendAsync(Request("dog", "A dog"), start, CancellationToken.None),
            target.SendAsync(Request("bird", "A bird"), start, CancellationToken.None));
        scheduler.BeforeSampling = null;

        Assert.All(results, r => Assert.Null(r.Error));
        var batched = scheduler.Metrics.Totals();
        Assert.True(batched.DecodeTokens > batched.ForwardPasses, $"{batched.DecodeTokens} generated tokens took {batched.ForwardPasses} forward passes: not batched");

        var again = await target.SendAsync(Request("dog-again", "A dog"), Stopwatch.GetTimestamp(), CancellationToken.None);

        Assert.Null(again.Error);
        Assert.True(scheduler.Metrics.Totals().CachedPromptTokens > batched.CachedPromptTokens, "the repeated prompt was evaluated again");
    }
}
