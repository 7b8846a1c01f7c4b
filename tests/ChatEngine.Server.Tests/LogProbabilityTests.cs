using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>logprobs through the official SDK (chat) and raw HTTP (legacy completions), checked against the log-softmax
/// of the runtime's own logits for the greedy tokens.</summary>
[Collection(ServerCollection.Name)]
public sealed class LogProbabilityTests(ServerFixture fixture)
{
    private const string Question = "Tell me about the sun.";
    private const float Tolerance = 1e-4f;

    private ChatClient Chat => fixture.Server.OpenAi.GetChatClient("stories260K");

    private static ChatCompletionOptions Options => new()
    {
        Temperature = 0f, MaxOutputTokenCount = 12, IncludeLogProbabilities = true, TopLogProbabilityCount = 4,
    };

    [Fact]
    public async Task Chat_logprobs_are_the_log_softmax_of_the_runtime_logits_with_sorted_alternatives()
    {
        var steps = Reference.GreedySteps(Reference.ChatPrompt(("user", Question)), 12);

        ChatCompletion completion = await Chat.CompleteChatAsync([new UserChatMessage(Question)], Options);

        var logged = completion.ContentTokenLogProbabilities;
        AssertMatches(steps, logged);
        Assert.Equal(string.Concat(logged.Select(t => t.Token)), completion.Content[0].Text);
    }

    [Fact]
    public async Task Streamed_chat_logprobs_equal_the_non_streamed_ones()
    {
        var steps = Reference.GreedySteps(Reference.ChatPrompt(("user", Question)), 12);

        var logged = new List<ChatTokenLogProbabilityDetails>();
        await foreach (var update in Chat.CompleteChatStreamingAsync([new UserChatMessage(Question)], Options))
            logged.AddRange(update.ContentTokenLogProbabilities);

        AssertMatches(steps, logged);
    }

    [Fact]
    public async Task Legacy_completion_logprobs_have_tokens_logprobs_alternatives_and_text_offsets()
    {
        const string prompt = "Once upon a time";
        var steps = Reference.GreedySteps(Reference.TextPrompt(prompt), 10);

        var body = await fixture.Server.PostForJsonAsync("/v1/completions",
            $$"""{"prompt":"{{prompt}}","max_tokens":10,"temperature":0,"logprobs":3}""");

        var choice = body.GetProperty("choices")[0];
        var text = choice.GetProperty("text").GetString()!;
        var logprobs = choice.GetProperty("logprobs");
        var tokens = logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var values = logprobs.GetProperty("token_logprobs").EnumerateArray().Select(v => v.GetDouble()).ToList();
        var offsets = logprobs.GetProperty("text_offset").EnumerateArray().Select(v => v.GetInt32()).ToList();
        var top = logprobs.GetProperty("top_logprobs").EnumerateArray().ToList();
        Assert.Equal(steps.Count, tokens.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            var (id, logits) = steps[i];
            Assert.Equal(Piece(id), tokens[i]);
            Assert.Equal(Reference.LogSoftmax(logits, id), values[i], Tolerance);
            Assert.Equal(tokens[i], text.Substring(offsets[i], tokens[i].Length));
            var alternatives = top[i].EnumerateObject().ToList();
            Assert.InRange(alternatives.Count, 1, 3);
            Assert.Equal(tokens[i], alternatives[0].Name);
            Assert.True(alternatives.Zip(alternatives.Skip(1)).All(p => p.First.Value.GetDouble() >= p.Second.Value.GetDouble()));
        }
    }

    [Fact]
    public async Task Echo_puts_the_prompt_before_the_completion_whole_and_streamed()
    {
        const string prompt = "The little dog";
        var expected = Reference.Greedy(Reference.TextPrompt(prompt), 8);

        var body = await fixture.Server.PostForJsonAsync("/v1/completions", $$"""{"prompt":"{{prompt}}","max_tokens":8,"temperature":0,"echo":true}""");
        Assert.Equal(prompt + expected.Text, body.GetProperty("choices")[0].GetProperty("text").GetString());

        using var response = await fixture.Server.PostStreamingAsync("/v1/completions",
            $$"""{"prompt":"{{prompt}}","max_tokens":8,"temperature":0,"echo":true,"stream":true}""");
        var events = await SseEvents.ReadAllAsync(response);
        var streamed = string.Concat(events[..^1].Select(e => SseEvents.Json(e).GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal(prompt + expected.Text, streamed);
    }

    [Fact]
    public async Task Echo_with_logprobs_scores_the_prompt_tokens_then_the_generated_ones()
    {
        const string prompt = "The little dog ran";
        var promptTokens = Reference.TextPrompt(prompt);
        var steps = Reference.GreedySteps(promptTokens, 4);
        var vocab = Reference.Model.Parameters.VocabSize;
        var logits = Reference.AllLogits(promptTokens);

        var body = await fixture.Server.PostForJsonAsync("/v1/completions",
            $$"""{"prompt":"{{prompt}}","max_tokens":4,"temperature":0,"echo":true,"logprobs":2}""");

        var logprobs = body.GetProperty("choices")[0].GetProperty("logprobs");
        var values = logprobs.GetProperty("token_logprobs").EnumerateArray().ToList();
        var tokens = logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(promptTokens.Length + steps.Count, values.Count);
        Assert.Equal(JsonValueKind.Null, values[0].ValueKind);
        Assert.Equal(JsonValueKind.Null, logprobs.GetProperty("top_logprobs")[0].ValueKind);
        for (var i = 1; i < promptTokens.Length; i++)
        {
            Assert.Equal(Piece(promptTokens[i]), tokens[i]);
            Assert.Equal(Reference.LogSoftmax(logits.AsSpan((i - 1) * vocab, vocab).ToArray(), promptTokens[i]), values[i].GetDouble(), Tolerance);
        }
        for (var i = 0; i < steps.Count; i++)
            Assert.Equal(Reference.LogSoftmax(steps[i].Logits, steps[i].Id), values[promptTokens.Length + i].GetDouble(), Tolerance);
        var offsets = logprobs.GetProperty("text_offset").EnumerateArray().Select(o => o.GetInt32()).ToList();
        Assert.True(offsets.Zip(offsets.Skip(1)).All(p => p.First <= p.Second), "text offsets decrease");
        Assert.Equal(prompt.Length, offsets[promptTokens.Length]);
    }

    [Fact]
    public async Task Streamed_legacy_logprobs_concatenate_to_the_non_streamed_ones()
    {
        const string request = """{"prompt":"Once upon a time","max_tokens":10,"temperature":0,"logprobs":2,"echo":true""";
        var whole = (await fixture.Server.PostForJsonAsync("/v1/completions", request + "}")).GetProperty("choices")[0].GetProperty("logprobs");

        using var response = await fixture.Server.PostStreamingAsync("/v1/completions", request + ""","stream":true}""");
        var events = await SseEvents.ReadAllAsync(response);
        var tokens = new List<string>();
        var values = new List<string>();
        var offsets = new List<int>();
        foreach (var chunk in events[..^1].Select(SseEvents.Json))
        {
            var logprobs = chunk.GetProperty("choices")[0].GetProperty("logprobs");
            if (logprobs.ValueKind == JsonValueKind.Null) continue;
            tokens.AddRange(logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!));
            values.AddRange(logprobs.GetProperty("token_logprobs").EnumerateArray().Select(v => v.GetRawText()));
            offsets.AddRange(logprobs.GetProperty("text_offset").EnumerateArray().Select(o => o.GetInt32()));
        }
        Assert.Equal(whole.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!), tokens);
        Assert.Equal(whole.GetProperty("token_logprobs").EnumerateArray().Select(v => v.GetRawText()), values);
        Assert.Equal(whole.GetProperty("text_offset").EnumerateArray().Select(o => o.GetInt32()), offsets);
    }

    [Fact]
    public async Task Without_logprobs_the_field_is_null()
    {
        var body = await fixture.Server.PostForJsonAsync("/v1/chat/completions",
            """{"messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"logprobs":false}""");
        Assert.Equal(JsonValueKind.Null, body.GetProperty("choices")[0].GetProperty("logprobs").ValueKind);
    }

    private static void AssertMatches(List<(int Id, float[] Logits)> steps, IReadOnlyList<ChatTokenLogProbabilityDetails> logged)
    {
        Assert.Equal(steps.Count, logged.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            var (id, logits) = steps[i];
            var entry = logged[i];
            Assert.Equal(Piece(id), entry.Token);
            Assert.Equal(Reference.Model.Tokenizer.TokenToPiece(id).ToArray(), entry.Utf8Bytes?.ToArray());
            Assert.Equal(Reference.LogSoftmax(logits, id), entry.LogProbability, Tolerance);
            var top = entry.TopLogProbabilities;
            Assert.Equal(4, top.Count);
            Assert.Equal(entry.Token, top[0].Token);
            Assert.Equal(entry.LogProbability, top[0].LogProbability);
            for (var k = 1; k < top.Count; k++) Assert.True(top[k - 1].LogProbability >= top[k].LogProbability, "top_logprobs are not sorted");
            var expectedTop = Enumerable.Range(0, logits.Length).OrderByDescending(t => logits[t]).ThenBy(t => t).Take(4).ToList();
            for (var k = 0; k < top.Count; k++)
            {
                Assert.Equal(Piece(expectedTop[k]), top[k].Token);
                Assert.Equal(Reference.LogSoftmax(logits, expectedTop[k]), top[k].LogProbability, Tolerance);
            }
        }
    }

    private static string Piece(int id) => Encoding.UTF8.GetString(Reference.Model.Tokenizer.TokenToPiece(id));
}
