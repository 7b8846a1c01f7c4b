using System.Text;
using System.Text.Json;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary><c>n</c> independent choices (raw HTTP: the .NET SDK exposes only the first choice).</summary>
[Collection(ServerCollection.Name)]
public sealed class ChoicesTests(ServerFixture fixture)
{
    private const string Sampled = """{"messages":[{"role":"user","content":"Tell me a story."}],"max_tokens":16,"temperature":1,"n":3,"seed":42""";

    [Fact]
    public async Task N_3_gives_3_independent_choices_reproducible_with_a_seed()
    {
        var first = await fixture.Server.PostForJsonAsync("/v1/chat/completions", Sampled + "}");
        var second = await fixture.Server.PostForJsonAsync("/v1/chat/completions", Sampled + "}");

        var texts = Texts(first);
        Assert.Equal(3, texts.Count);
        Assert.Equal([0, 1, 2], first.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(texts, Texts(second));
        Assert.True(texts.Distinct().Count() > 1, "three sampled choices were identical: " + string.Join(" | ", texts));
        var usage = first.GetProperty("usage");
        Assert.Equal(Reference.ChatPrompt(("user", "Tell me a story.")).Length, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.True(usage.GetProperty("completion_tokens").GetInt32() >= 3);
    }

    [Fact]
    public async Task Choice_i_is_what_a_single_request_with_seed_plus_i_gives()
    {
        var all = Texts(await fixture.Server.PostForJsonAsync("/v1/chat/completions", Sampled + "}"));
        var single = await fixture.Server.PostForJsonAsync("/v1/chat/completions", Sampled.Replace("\"n\":3,\"seed\":42", "\"n\":1,\"seed\":44") + "}");
        Assert.Equal(all[2], Texts(single)[0]);
    }

    [Fact]
    public async Task Streamed_choices_interleave_and_concatenate_to_the_non_streamed_ones()
    {
        var whole = Texts(await fixture.Server.PostForJsonAsync("/v1/chat/completions", Sampled + "}"));

        using var response = await fixture.Server.PostStreamingAsync("/v1/chat/completions", Sampled + ""","stream":true,"stream_options":{"include_usage":true}}""");
        var events = await SseEvents.ReadAllAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var texts = new[] { new StringBuilder(), new StringBuilder(), new StringBuilder() };
        var finishes = new int[3];
        var roles = new int[3];
        foreach (var chunk in events[..^2].Select(SseEvents.Json))
        {
            var choice = chunk.GetProperty("choices")[0];
            var index = choice.GetProperty("index").GetInt32();
            var delta = choice.GetProperty("delta");
            if (delta.TryGetProperty("role", out _)) roles[index]++;
            if (delta.TryGetProperty("content", out var content)) texts[index].Append(content.GetString());
            if (choice.GetProperty("finish_reason").ValueKind != JsonValueKind.Null) finishes[index]++;
        }
        Assert.Equal([1, 1, 1], roles);
        Assert.Equal([1, 1, 1], finishes);
        Assert.Equal(whole, texts.Select(t => t.ToString()));
        Assert.Empty(SseEvents.Json(events[^2]).GetProperty("choices").EnumerateArray());
    }

    [Fact]
    public async Task Greedy_choices_of_a_text_completion_all_equal_the_runtime_output()
    {
        var expected = Reference.Greedy(Reference.TextPrompt("Once upon a time"), 10);
        var body = await fixture.Server.PostForJsonAsync("/v1/completions", """{"prompt":"Once upon a time","max_tokens":10,"temperature":0,"n":3}""");
        Assert.Equal(Enumerable.Repeat(expected.Text, 3), body.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()));
        Assert.Equal(3 * expected.CompletionTokens, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    private static List<string> Texts(JsonElement body) =>
        body.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("message").GetProperty("content").GetString()!).ToList();
}
