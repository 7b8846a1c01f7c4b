using System.Text;
using System.Text.Json;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>Raw HTTP: the exact SSE framing and chunk shapes of OpenAI, stop sequences, prompts as token arrays, tokenize.</summary>
[Collection(ServerCollection.Name)]
public sealed class StreamingFormatTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Chat_stream_is_role_chunk_content_chunks_finish_chunk_usage_chunk_then_done()
    {
        var expected = Reference.Greedy(Reference.ChatPrompt(("user", "Hi")), 10);

        using var response = await Server.PostStreamingAsync("/v1/chat/completions",
            """{"model":"stories260K","messages":[{"role":"user","content":"Hi"}],"max_tokens":10,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}""");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await SseEvents.ReadAllAsync(response);

        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(SseEvents.Json).ToList();
        var id = chunks[0].GetProperty("id").GetString();
        Assert.StartsWith("chatcmpl-", id, StringComparison.Ordinal);
        foreach (var chunk in chunks)
        {
            Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
            Assert.Equal(id, chunk.GetProperty("id").GetString());
            Assert.Equal("stories260K", chunk.GetProperty("model").GetString());
            Assert.True(chunk.GetProperty("created").GetInt64() > 0);
        }

        var role = chunks[0].GetProperty("choices")[0];
        Assert.Equal("assistant", role.GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, role.GetProperty("finish_reason").ValueKind);

        var contents = chunks[1..^2];
        Assert.NotEmpty(contents);
        var text = new StringBuilder();
        foreach (var chunk in contents)
        {
            var choice = chunk.GetProperty("choices")[0];
            Assert.False(choice.GetProperty("delta").TryGetProperty("role", out _));
            Assert.Equal(JsonValueKind.Null, choice.GetProperty("finish_reason").ValueKind);
            Assert.Equal(JsonValueKind.Null, chunk.GetProperty("usage").ValueKind);
            text.Append(choice.GetProperty("delta").GetProperty("content").GetString());
        }
        Assert.Equal(expected.Text, text.ToString());

        var final = chunks[^2].GetProperty("choices")[0];
        Assert.Empty(final.GetProperty("delta").EnumerateObject());
        Assert.Equal(expected.Finish == Runtime.Generation.FinishReason.Stop ? "stop" : "length", final.GetProperty("finish_reason").GetString());

        var usageChunk = chunks[^1];
        Assert.Empty(usageChunk.GetProperty("choices").EnumerateArray());
        var usage = usageChunk.GetProperty("usage");
        Assert.Equal(expected.PromptTokens, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(expected.CompletionTokens, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(expected.PromptTokens + expected.CompletionTokens, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Without_include_usage_the_stream_has_no_usage_at_all()
    {
        using var response = await Server.PostStreamingAsync("/v1/chat/completions",
            """{"messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"temperature":0,"stream":true}""");
        var events = await SseEvents.ReadAllAsync(response);

        Assert.Equal("[DONE]", events[^1]);
        Assert.All(events[..^1].Select(SseEvents.Json), chunk => Assert.False(chunk.TryGetProperty("usage", out _)));
        Assert.Equal("length", SseEvents.Json(events[^2]).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Text_completion_stream_matches_the_non_streamed_answer_and_the_runtime()
    {
        const string prompt = "Once upon a time";
        var expected = Reference.Greedy(Reference.TextPrompt(prompt), 16);

        var whole = await Server.PostForJsonAsync("/v1/completions", $$$"""{"prompt":"{{{prompt}}}","max_tokens":16,"temperature":0}""");
        using var response = await Server.PostStreamingAsync("/v1/completions",
            $$$"""{"prompt":"{{{prompt}}}","max_tokens":16,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}""");
        var events = await SseEvents.ReadAllAsync(response);

        Assert.Equal("text_completion", whole.GetProperty("object").GetString());
        Assert.Equal(expected.Text, whole.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(expected.CompletionTokens, whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(SseEvents.Json).ToList();
        var streamed = string.Concat(chunks[..^1].Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal(expected.Text, streamed);
        Assert.Equal("length", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(expected.PromptTokens, chunks[^1].GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task A_stop_sequence_ends_with_stop_and_is_not_returned()
    {
        const string prompt = "Once upon a time";
        var free = Reference.Greedy(Reference.TextPrompt(prompt), 24);
        var stop = free.Text.Substring(free.Text.Length / 2, 3);
        var expected = Reference.Greedy(Reference.TextPrompt(prompt), 24, [stop]);
        Assert.Equal(Runtime.Generation.FinishReason.Stop, expected.Finish);

        var body = JsonSerializer.Serialize(new { prompt, max_tokens = 24, temperature = 0, stop = new[] { "never-seen-xyz", stop } });
        var answer = await Server.PostForJsonAsync("/v1/completions", body);
        var single = await Server.PostForJsonAsync("/v1/completions", JsonSerializer.Serialize(new { prompt, max_tokens = 24, temperature = 0, stop }));

        var choice = answer.GetProperty("choices")[0];
        Assert.Equal(expected.Text, choice.GetProperty("text").GetString());
        Assert.DoesNotContain(stop, choice.GetProperty("text").GetString()!, StringComparison.Ordinal);
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(expected.Text, single.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_token_array_prompt_generates_like_the_same_text()
    {
        var ids = Reference.TextPrompt("The little dog");
        var expected = Reference.Greedy(ids, 12);

        var answer = await Server.PostForJsonAsync("/v1/completions", JsonSerializer.Serialize(new { prompt = ids, max_tokens = 12, temperature = 0 }));

        Assert.Equal(expected.Text, answer.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(ids.Length, answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Tokenize_and_detokenize_agree_with_the_tokenizer()
    {
        const string text = "Once upon a time, Lily";
        var tokens = await Server.PostForJsonAsync("/tokenize", JsonSerializer.Serialize(new { content = text }));
        var withBos = await Server.PostForJsonAsync("/tokenize", JsonSerializer.Serialize(new { content = text, add_special = true }));
        var ids = tokens.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        var back = await Server.PostForJsonAsync("/detokenize", JsonSerializer.Serialize(new { tokens = ids }));

        Assert.Equal(Reference.Model.Tokenizer.Encode(text, addSpecial: false, parseSpecial: true), ids);
        Assert.Equal(Reference.Model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true), withBos.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal(Reference.Model.Tokenizer.DecodePieces(ids), back.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Health_reports_ok_and_idle_slots()
    {
        var health = await Server.Http.GetFromJsonAsync("/health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(8, health.GetProperty("slots_idle").GetInt32() + health.GetProperty("slots_processing").GetInt32());
    }
}
