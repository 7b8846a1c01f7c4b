using System.Text;
using ChatEngine.TestData;
using OpenAI.Chat;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Server.Tests;

/// <summary>A conversation's second turn reuses the KV state of the first (its ~500-token system prompt and turn).</summary>
public sealed class PrefixCacheTests(ITestOutputHelper output)
{
    private const int MaxTokens = 24;

    [Fact]
    public async Task A_second_turn_reuses_the_shared_prefix_and_answers_exactly_as_without_cache()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 2, ContextSize = 1024, Threads = 2 });
        var chat = SdkChat.Client(server);
        var system = SystemPromptOfAbout(500);
        const string question = "What did Mia throw?";
        const string followUp = "And what did Pip do?";

        var first = await SdkChat.StreamGreedyAsync(chat, [new SystemChatMessage(system), new UserChatMessage(question)], MaxTokens);
        var second = await SdkChat.StreamGreedyAsync(chat, [new SystemChatMessage(system), new UserChatMessage(question), new AssistantChatMessage(first.Text), new UserChatMessage(followUp)], MaxTokens);
        var metrics = await PrometheusScrape.FetchAsync(server);

        var firstPrompt = Reference.ChatPrompt(("system", system), ("user", question));
        var secondPrompt = Reference.ChatPrompt(("system", system), ("user", question), ("assistant", first.Text), ("user", followUp));
        var shared = firstPrompt.Zip(secondPrompt).TakeWhile(p => p.First == p.Second).Count();
        output.WriteLine($"turn 1: {first.Usage.InputTokenCount} prompt tokens, {first.Usage.InputTokenDetails.CachedTokenCount} cached, TTFT {first.FirstTokenMs:F1} ms; " +
            $"turn 2: {second.Usage.InputTokenCount} prompt tokens, {second.Usage.InputTokenDetails.CachedTokenCount} cached, TTFT {second.FirstTokenMs:F1} ms");

        Assert.True(firstPrompt.Length >= 500, $"the first prompt has only {firstPrompt.Length} tokens");
        Assert.Equal(0, first.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(Reference.Greedy(firstPrompt, MaxTokens).Text, first.Text);
        // The first turn's prompt and the tokens generated after it are all in the cache; the reuse stops where the
        // second prompt departs from them (it re-renders the answer as text, whose tokens may differ).
        Assert.InRange(second.Usage.InputTokenDetails.CachedTokenCount, shared, secondPrompt.Length - 1);
        Assert.Equal(secondPrompt.Length, second.Usage.InputTokenCount);
        Assert.Equal(Reference.Greedy(secondPrompt, MaxTokens).Text, second.Text);
        Assert.Equal(second.Usage.InputTokenDetails.CachedTokenCount, metrics.Value("chatengine_prompt_tokens_cached_total"));
        Assert.Equal(firstPrompt.Length + secondPrompt.Length - second.Usage.InputTokenDetails.CachedTokenCount, metrics.Value("chatengine_prefill_tokens_total"));
    }

    [Fact]
    public async Task Follow_up_requests_land_in_the_slot_holding_their_prefix()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 3, ContextSize = 512, Threads = 2 });
        var prompts = new[] { "Once upon a time there was a big dog", "Lily and Ben went to the park to play", "The sun was hot and the cat was sleepy" };
        foreach (var prompt in prompts) await CompleteAsync(server, prompt);

        // Each follow-up extends one of the three earlier prompts: it must land in that prompt's slot.
        foreach (var prompt in prompts.Reverse())
        {
            var extended = prompt + " and";
            var (text, cached) = await CompleteAsync(server, extended);
            var expectedCached = Reference.TextPrompt(prompt).Zip(Reference.TextPrompt(extended)).TakeWhile(p => p.First == p.Second).Count();
            Assert.True(cached >= expectedCached, $"'{extended}': {cached} cached tokens, expected at least {expectedCached}");
            Assert.Equal(Reference.Greedy(Reference.TextPrompt(extended), MaxTokens).Text, text);
        }
    }

    private static async Task<(string Text, int Cached)> CompleteAsync(TestServer server, string prompt)
    {
        var response = await server.PostForJsonAsync("/v1/completions", $$"""{"prompt":"{{prompt}}","max_tokens":{{MaxTokens}},"temperature":0}""");
        return (response.GetProperty("choices")[0].GetProperty("text").GetString()!,
            response.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    private static string SystemPromptOfAbout(int tokens)
    {
        var story = File.ReadAllText(TestPaths.Golden("story.txt"));
        var text = new StringBuilder("You answer questions about this story.\n");
        foreach (var sentence in story.Split(". "))
        {
            if (Reference.Model.Tokenizer.Encode(text.ToString(), addSpecial: false).Length >= tokens) break;
            text.Append(sentence).Append(". ");
        }
        return text.ToString();
    }
}
