using System.ClientModel;
using System.Diagnostics;
using System.Text;
using OpenAI;
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
        var chat = new ChatClient("stories260K", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "v1") });

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

    private static double Delta(PrometheusScrape before, PrometheusScrape after, string name) => after.Value(name) - before.Value(name);

    private static async Task<(string Text, int Tokens)> StreamAsync(ChatClient chat, string question)
    {
        var text = new StringBuilder();
        var tokens = -1;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(question)],
            new ChatCompletionOptions { Temperature = 0f, MaxOutputTokenCount = MaxTokens }))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            if (update.Usage is { } usage) tokens = usage.OutputTokenCount;
        }
        return (text.ToString(), tokens);
    }

    private static async Task<(T Result, double Seconds)> TimedAsync<T>(Func<Task<T>> run)
    {
        var clock = Stopwatch.StartNew();
        var result = await run();
        return (result, clock.Elapsed.TotalSeconds);
    }
}
