using System.Diagnostics;
using OpenAI.Chat;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Server.Tests;

/// <summary>Many clients at once through the official SDK: batching must not change anyone's output.</summary>
public sealed class ConcurrentStreamingTests(ITestOutputHelper output)
{
    private const int MaxTokens = 128;

    private static readonly string[] Subjects =
    [
        "a cat", "a dog", "a bird", "a fish", "a frog", "a bear", "a lion", "a mouse",
        "a tree", "the sun", "the moon", "a boat", "a ball", "a cake", "a car", "a girl",
    ];

    [Fact]
    public async Task Sixteen_concurrent_sdk_streams_each_equal_their_solo_greedy_output()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 16, ContextSize = 512, Threads = 2 });
        var questions = Subjects.Select(s => $"Tell me a story about {s}.").ToArray();
        var expected = questions.Select(q => Reference.Greedy(Reference.ChatPrompt(("user", q)), MaxTokens)).ToArray();
        var chat = SdkChat.Client(server);

        var solo = await TimedAsync(() => StreamAsync(chat, questions[0]));
        var before = await PrometheusScrape.FetchAsync(server);
        var together = await TimedAsync(() => Task.WhenAll(questions.Select(q => StreamAsync(chat, q))));
        var after = await PrometheusScrape.FetchAsync(server);

        Assert.Equal(expected[0].Text, solo.Result.Text);
        for (var i = 0; i < questions.Length; i++)
        {
            Assert.Equal(expected[i].Text, together.Result[i].Text);
            Assert.Equal(expected[i].CompletionTokens, together.Result[i].Tokens);
        }
        var passes = after.Value("chatengine_forward_passes_total") - before.Value("chatengine_forward_passes_total");
        var tokens = Delta(before, after, "chatengine_decode_tokens_total") + Delta(before, after, "chatengine_prefill_tokens_total");
        var soloRate = solo.Result.Tokens / solo.Seconds;
        var aggregateRate = together.Result.Sum(r => r.Tokens) / together.Seconds;
        output.WriteLine($"stories260K, 2 threads, {MaxTokens} max tokens: 1 client {soloRate:F0} t/s, 16 clients {aggregateRate:F0} t/s aggregate " +
            $"({aggregateRate / soloRate:F1}x); {tokens / passes:F1} tokens per forward pass");
        Assert.True(tokens / passes > 2, $"the 16 streams were not batched: {tokens / passes:F2} tokens per forward pass");
    }

    [Fact]
    public async Task Requests_with_different_sampling_settings_share_batches_and_each_repeats_its_solo_output()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 8, ContextSize = 512, Threads = 2 });
        string[] settings =
        [
            "\"temperature\":0",
            "\"temperature\":0.8,\"seed\":1",
            "\"temperature\":1.2,\"top_k\":5,\"seed\":2",
            "\"temperature\":0.9,\"top_p\":0.5,\"seed\":3",
            "\"temperature\":1,\"min_p\":0.2,\"seed\":4",
            "\"temperature\":0.7,\"presence_penalty\":1.5,\"frequency_penalty\":0.5,\"seed\":5",
            "\"temperature\":0,\"repeat_penalty\":1.3",
            "\"temperature\":1,\"seed\":6,\"logit_bias\":{\"13\":5}",
        ];
        var bodies = settings.Select((s, i) => $$$"""{"prompt":"Once upon a time, {{{Subjects[i]}}}","max_tokens":{{{MaxTokens}}},{{{s}}} }""").ToArray();

        var together = await Task.WhenAll(bodies.Select(body => CompleteAsync(server, body)));
        var alone = new List<string>();
        foreach (var body in bodies) alone.Add(await CompleteAsync(server, body));

        Assert.Equal(alone, together);
        Assert.True(alone.Distinct().Count() == alone.Count, "the settings should lead to different texts");
    }

    private static async Task<string> CompleteAsync(TestServer server, string body) =>
        (await server.PostForJsonAsync("/v1/completions", body)).GetProperty("choices")[0].GetProperty("text").GetString()!;

    private static double Delta(PrometheusScrape before, PrometheusScrape after, string name) => after.Value(name) - before.Value(name);

    private static async Task<(string Text, int Tokens)> StreamAsync(ChatClient chat, string question)
    {
        var result = await SdkChat.StreamGreedyAsync(chat, [new UserChatMessage(question)], MaxTokens);
        return (result.Text, result.Usage.OutputTokenCount);
    }

    private static async Task<(T Result, double Seconds)> TimedAsync<T>(Func<Task<T>> run)
    {
        var clock = Stopwatch.StartNew();
        var result = await run();
        return (result, clock.Elapsed.TotalSeconds);
    }
}
