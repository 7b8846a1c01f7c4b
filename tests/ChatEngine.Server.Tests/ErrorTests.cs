using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>Every bad request is a 4xx carrying OpenAI's error object, naming the offending field where there is one.</summary>
[Collection(ServerCollection.Name)]
public sealed class ErrorTests(ServerFixture fixture)
{
    private const string Hi = """[{"role":"user","content":"Hi"}]""";

    public static TheoryData<string, string, int, string?> BadRequests => new()
    {
        // path, body, status, param
        { "/v1/chat/completions", "{not json", 400, null },
        { "/v1/chat/completions", "[1,2]", 400, null },
        { "/v1/chat/completions", "", 400, null },
        { "/v1/chat/completions", "{}", 400, "messages" },
        { "/v1/chat/completions", """{"messages":"Hi"}""", 400, "messages" },
        { "/v1/chat/completions", """{"messages":[]}""", 400, "messages" },
        { "/v1/chat/completions", """{"messages":[{"content":"Hi"}]}""", 400, "messages[0].role" },
        { "/v1/chat/completions", """{"messages":[{"role":"wizard","content":"Hi"}]}""", 400, "messages[0].role" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":42}]}""", 400, "messages[0].content" },
        { "/v1/chat/completions", """{"messages":[{"role":"user"}]}""", 400, "messages[0].content" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", 400, "messages[0].content[0].type" },
        { "/v1/chat/completions", $$$"""{"model":"gpt-4o","messages":{{{Hi}}}}""", 404, "model" },
        { "/v1/chat/completions", $$$"""{"model":7,"messages":{{{Hi}}}}""", 400, "model" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"max_tokens":0}""", 400, "max_tokens" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"max_tokens":-5}""", 400, "max_tokens" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"max_completion_tokens":0}""", 400, "max_completion_tokens" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"max_tokens":"ten"}""", 400, "max_tokens" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"max_tokens":2.5}""", 400, "max_tokens" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"max_tokens":100000}""", 400, "messages" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"temperature":-1}""", 400, "temperature" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"temperature":"hot"}""", 400, "temperature" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"top_p":0}""", 400, "top_p" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"top_p":1.5}""", 400, "top_p" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"top_k":-1}""", 400, "top_k" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"min_p":2}""", 400, "min_p" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"repeat_penalty":0}""", 400, "repeat_penalty" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"presence_penalty":"x"}""", 400, "presence_penalty" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"logit_bias":{"abc":1}}""", 400, "logit_bias" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"logit_bias":{"-3":1}}""", 400, "logit_bias" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"logit_bias":[1]}""", 400, "logit_bias" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"stop":5}""", 400, "stop" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"stop":["a",1]}""", 400, "stop" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"seed":"abc"}""", 400, "seed" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"stream":"yes"}""", 400, "stream" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"stream":true,"stream_options":{"include_usage":1}}""", 400, "stream_options.include_usage" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"n":0}""", 400, "n" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"n":17}""", 400, "n" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"n":"2"}""", 400, "n" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"logprobs":"yes"}""", 400, "logprobs" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"top_logprobs":3}""", 400, "top_logprobs" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"logprobs":true,"top_logprobs":21}""", 400, "top_logprobs" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"response_format":"json"}""", 400, "response_format" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"response_format":{"type":"xml"}}""", 400, "response_format" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"response_format":{"type":"json_schema"}}""", 400, "response_format" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"string","pattern":"a+"}}}}""", 400, "response_format" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"integer","minimum":3}}}}""", 400, "response_format" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"oneOf":[]}}}}""", 400, "response_format" },
        { "/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"functions":[{"name":"f"}]}""", 400, "functions" },
        { "/v1/completions", "{}", 400, "prompt" },
        { "/v1/completions", """{"prompt":{"a":1}}""", 400, "prompt" },
        { "/v1/completions", """{"prompt":[1,2,99999]}""", 400, "prompt" },
        { "/v1/completions", """{"prompt":[1,"x"]}""", 400, "prompt" },
        { "/v1/completions", """{"prompt":["a","b"]}""", 400, "prompt" },
        { "/v1/completions", """{"prompt":[]}""", 400, "prompt" },
        { "/v1/completions", """{"prompt":"Hi","max_tokens":300}""", 400, "prompt" },
        { "/v1/completions", """{"prompt":"Hi","logprobs":6}""", 400, "logprobs" },
        { "/v1/completions", """{"prompt":"Hi","logprobs":true}""", 400, "logprobs" },
        { "/v1/completions", """{"prompt":"Hi","best_of":2}""", 400, "best_of" },
        { "/v1/completions", """{"prompt":"Hi","echo":"no"}""", 400, "echo" },
        { "/tokenize", """{"content":5}""", 400, "content" },
        { "/detokenize", """{"tokens":[1,-1]}""", 400, "tokens" },
        { "/detokenize", """{"tokens":"1 2"}""", 400, "tokens" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_get_a_4xx_with_the_openai_error_object(string path, string body, int status, string? param)
    {
        using var response = await fixture.Server.PostJsonAsync(path, body);

        var error = await OpenAiError.ReadAsync(response, status);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        if (param is null) Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        else Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Context_overflow_says_so_in_its_code()
    {
        using var response = await fixture.Server.PostJsonAsync("/v1/chat/completions", $$$"""{"messages":{{{Hi}}},"max_tokens":100000}""");

        var error = await OpenAiError.ReadAsync(response, 400);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("256", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_body_is_413_whether_its_length_is_announced_or_not()
    {
        var huge = Encoding.UTF8.GetBytes("{\"prompt\":\"" + new string('a', 5 * 1024 * 1024) + "\"}");
        // Expect: 100-continue lets the server refuse on Content-Length before the client uploads the body.
        using var announcedContent = new ByteArrayContent(huge);
        announcedContent.Headers.ContentType = new("application/json");
        using var announcedRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = announcedContent };
        announcedRequest.Headers.ExpectContinue = true;
        using var announced = await fixture.Server.Http.SendAsync(announcedRequest);
        await OpenAiError.ReadAsync(announced, 413);

        // Without a length the server can only refuse mid-upload: it answers 413 and closes, and the client may see
        // either that answer or its upload cut off. Anything else (a 2xx or a 500) fails.
        using var chunked = new StreamContent(new MemoryStream(huge));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        HttpResponseMessage? streamed = null;
        try
        {
            streamed = await fixture.Server.Http.SendAsync(request);
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
        }
        if (streamed is not null)
        {
            using (streamed) await OpenAiError.ReadAsync(streamed, 413);
        }
    }

    [Fact]
    public async Task Unknown_paths_get_a_404_error_object()
    {
        using var response = await fixture.Server.Http.GetAsync("/v1/nothing-here");

        await OpenAiError.ReadAsync(response, 404);
    }
}

/// <summary>Settings that need their own server: the API key, a full queue, a model that fails to load.</summary>
public sealed class AccessAndLoadTests
{
    [Fact]
    public async Task The_api_key_is_required_everywhere_but_health()
    {
        await using var server = await TestServer.StartAsync(o => o with { ApiKey = "sekrit-key", Parallel = 1 });
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };

        using var missing = await anonymous.GetAsync("/v1/models");
        using var wrongRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        wrongRequest.Headers.Authorization = new("Bearer", "sekrit-kez");
        using var wrong = await anonymous.SendAsync(wrongRequest);
        using var health = await anonymous.GetAsync("/health");
        var models = await server.Http.GetFromJsonAsync("/v1/models");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var error = JsonDocument.Parse(await wrong.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("stories260K", models.GetProperty("data")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Health_shows_load_details_only_to_callers_with_the_key()
    {
        await using var server = await TestServer.StartAsync(o => o with { ApiKey = "sekrit-key", Parallel = 1 });
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };

        var open = await anonymous.GetFromJsonAsync("/health");
        var detailed = await server.Http.GetFromJsonAsync("/health");

        Assert.Equal("""{"status":"ok"}""", open.GetRawText());
        Assert.Equal(1, detailed.GetProperty("slots_idle").GetInt32());
        Assert.Equal(0, detailed.GetProperty("requests_queued").GetInt32());
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after()
    {
        await using var server = await TestServer.StartAsync(o => o with { Parallel = 1, QueueLimit = 0, ContextSize = 2048 });
        var eos = Reference.Model.Tokenizer.EosTokenId;
        using var abort = new CancellationTokenSource();
        using var busy = await server.PostStreamingAsync("/v1/completions",
            $$$"""{"prompt":"Once","max_tokens":2000,"temperature":0,"stream":true,"logit_bias":{"{{{eos}}}":-100}}""", abort.Token);
        await using var stream = await busy.Content.ReadAsStreamAsync(abort.Token);
        await SseEvents.StreamAsync(stream, abort.Token).FirstAsync(abort.Token);

        using var refused = await server.PostJsonAsync("/v1/completions", """{"prompt":"Once","max_tokens":2}""");
        await abort.CancelAsync();
        await server.WaitForIdleSlotsAsync(TimeSpan.FromSeconds(10));
        using var afterwards = await server.PostJsonAsync("/v1/completions", """{"prompt":"Once","max_tokens":2}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "no Retry-After header");
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact]
    public async Task Health_and_endpoints_answer_503_until_a_model_is_loaded()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.gguf");
        await using var server = await TestServer.StartAsync(o => o with { ModelPath = missing }, waitForModel: false);
        await Assert.ThrowsAsync<FileNotFoundException>(() => server.Server.WaitUntilReadyAsync());

        using var health = await server.Http.GetAsync("/health");
        using var chat = await server.PostJsonAsync("/v1/chat/completions", """{"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, chat.StatusCode);
        var error = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("unavailable_error", error.GetProperty("type").GetString());
    }
}
