using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>What a hostile client (or a web page the user visits) sends: each is refused with a 4xx error object and
/// the server goes on serving.</summary>
[Collection(ServerCollection.Name)]
public sealed class HostileRequestTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Theory]
    [InlineData("/v1/completions", """{"prompt":"Once","max_tokens":4,"logit_bias":{"512":1}}""")]
    [InlineData("/v1/completions", """{"prompt":"Once","max_tokens":4,"stream":true,"logit_bias":{"99999999":-100}}""")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"stream":true,"logit_bias":{"512":1}}""")]
    public async Task A_logit_bias_token_outside_the_vocabulary_is_a_400_and_the_server_lives_on(string path, string body)
    {
        using var response = await Server.PostJsonAsync(path, body);

        var error = await OpenAiError.ReadAsync(response, 400);
        Assert.Equal("logit_bias", error.GetProperty("param").GetString());
        Assert.Contains("[0, 512)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var after = await Server.PostForJsonAsync("/v1/completions", """{"prompt":"Once","max_tokens":4,"logit_bias":{"511":1}}""");
        Assert.Equal(4, after.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    public static TheoryData<string, string, string> InvalidText => new()
    {
        // path, body with "@" where the invalid text goes, the param the error names
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":"a@b"}]}""", "messages[0].content" },
        { "/v1/chat/completions", """{"model":"@","messages":[{"role":"user","content":"Hi"}]}""", "model" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":[{"type":"text","text":"@"}]}]}""", "messages[0].content[0].text" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":"Hi"}],"stop":["x","@"]}""", "stop[1]" },
        { "/v1/chat/completions", """{"messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"e","schema":{"enum":["@"]}}}}""", "response_format.json_schema.schema.enum[0]" },
        { "/v1/completions", """{"prompt":"@"}""", "prompt" },
        { "/v1/completions", """{"prompt":"Hi","stop":"@"}""", "stop" },
        { "/tokenize", """{"content":"x@"}""", "content" },
        { "/v1/embeddings", """{"input":["ok","@"]}""", "input[1]" },
    };

    [Theory]
    [MemberData(nameof(InvalidText))]
    public async Task Text_that_is_not_valid_unicode_is_a_400_naming_the_field(string path, string template, string param)
    {
        // A lone surrogate escape, invalid bytes, and an overlong encoding of '/'.
        var variants = new[] { Encoding.UTF8.GetBytes(template.Replace("@", "\\ud800", StringComparison.Ordinal)), Splice(template, [0xFF, 0xFE]), Splice(template, [0xC0, 0xAF]) };
        foreach (var body in variants)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await Server.Http.PostAsync(path, content);

            var error = await OpenAiError.ReadAsync(response, 400);
            Assert.Equal(param, error.GetProperty("param").GetString());
            Assert.Equal("invalid_value", error.GetProperty("code").GetString());
        }
    }

    private static byte[] Splice(string template, byte[] invalid)
    {
        var at = template.IndexOf('@', StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(template[..at]), .. invalid, .. Encoding.UTF8.GetBytes(template[(at + 1)..])];
    }

    [Theory]
    [InlineData("/v1/chat/completions", "text/plain")]
    [InlineData("/v1/completions", "text/plain")]
    [InlineData("/v1/completions", "application/x-www-form-urlencoded")]
    [InlineData("/v1/completions", null)]
    [InlineData("/v1/embeddings", "text/plain")]
    [InlineData("/tokenize", "multipart/form-data")]
    [InlineData("/detokenize", "text/plain")]
    [InlineData("/lora-adapters", "text/plain")]
    public async Task A_body_not_sent_as_json_is_a_415(string path, string? contentType)
    {
        // What any web page may send cross-origin without a preflight.
        using var content = new ByteArrayContent("""{"prompt":"Once","messages":[{"role":"user","content":"Hi"}],"input":"x","content":"x","tokens":[1]}"""u8.ToArray());
        if (contentType is not null) content.Headers.ContentType = new(contentType);
        using var response = await Server.Http.PostAsync(path, content);

        var error = await OpenAiError.ReadAsync(response, 415);
        Assert.Equal("unsupported_media_type", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Requests_naming_another_host_are_refused_unless_allowed()
    {
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        rebound.Headers.Host = "attacker.example";
        using var refused = await Server.Http.SendAsync(rebound);
        var error = await OpenAiError.ReadAsync(refused, 400);
        Assert.Equal("host_not_allowed", error.GetProperty("code").GetString());

        foreach (var name in new[] { "localhost", "LOCALHOST:8080", "127.0.0.1" })
        {
            using var loopback = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
            loopback.Headers.Host = name;
            using var answered = await Server.Http.SendAsync(loopback);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        await using var named = await TestServer.StartAsync(o => o with { AllowedHosts = "chat.internal, 127.0.0.1" });
        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        allowed.Headers.Host = "chat.internal";
        using var ok = await named.Http.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var other = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        other.Headers.Host = "localhost";
        using var notListed = await named.Http.SendAsync(other);
        await OpenAiError.ReadAsync(notListed, 400);
    }

    [Fact]
    public async Task Cross_origin_requests_are_refused_unless_their_origin_is_allowed_and_then_get_cors_headers()
    {
        using var foreign = await SendWithOriginAsync(Server, HttpMethod.Get, "https://evil.example");
        var error = await OpenAiError.ReadAsync(foreign, 403);
        Assert.Equal("origin_not_allowed", error.GetProperty("code").GetString());
        using var sameOrigin = await SendWithOriginAsync(Server, HttpMethod.Get, Server.BaseAddress.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.OK, sameOrigin.StatusCode);

        await using var open = await TestServer.StartAsync(o => o with { CorsOrigins = "https://app.example" });
        using var preflight = await SendWithOriginAsync(open, HttpMethod.Options, "https://app.example", request =>
        {
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");
        });
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("https://app.example", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var allowed = await SendWithOriginAsync(open, HttpMethod.Get, "https://app.example");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var otherPreflight = await SendWithOriginAsync(open, HttpMethod.Options, "https://evil.example",
            request => request.Headers.Add("Access-Control-Request-Method", "POST"));
        await OpenAiError.ReadAsync(otherPreflight, 403);
    }

    private static async Task<HttpResponseMessage> SendWithOriginAsync(TestServer server, HttpMethod method, string origin, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, "/v1/models");
        request.Headers.Add("Origin", origin);
        configure?.Invoke(request);
        return await server.Http.SendAsync(request);
    }

    [Fact]
    public async Task An_over_long_target_or_header_block_gets_the_error_object_not_kestrels_empty_reply()
    {
        using var longTarget = await Server.Http.GetAsync("/v1/models?q=" + new string('a', 10_000));
        Assert.Equal("uri_too_long", (await OpenAiError.ReadAsync(longTarget, 414)).GetProperty("code").GetString());

        using var bigHeader = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        bigHeader.Headers.Add("X-Padding", new string('a', 40_000));
        using var tooLarge = await Server.Http.SendAsync(bigHeader);
        Assert.Equal("headers_too_large", (await OpenAiError.ReadAsync(tooLarge, 431)).GetProperty("code").GetString());

        using var manyHeaders = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        for (var i = 0; i < 150; i++) manyHeaders.Headers.Add($"X-H{i}", "1");
        using var tooMany = await Server.Http.SendAsync(manyHeaders);
        await OpenAiError.ReadAsync(tooMany, 431);
    }

    [Theory]
    [InlineData("/hubs/chat", 400)]
    [InlineData("/hubs/chat?id=no-such-connection", 404)]
    public async Task Hub_transport_refusals_carry_the_error_object(string path, int status)
    {
        using var response = await Server.Http.GetAsync(path);

        var error = await OpenAiError.ReadAsync(response, status);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_hundred_kilobyte_model_name_is_not_echoed_back_whole()
    {
        var name = new string('m', 100_000);
        using var chat = await Server.PostJsonAsync("/v1/chat/completions", JsonSerializer.Serialize(new { model = name, messages = new[] { new { role = "user", content = "Hi" } } }));
        using var lookup = await Server.Http.GetAsync("/v1/models/" + new string('m', 8000));

        foreach (var (response, status) in new[] { (chat, 404), (lookup, 404) })
        {
            var message = (await OpenAiError.ReadAsync(response, status)).GetProperty("message").GetString()!;
            Assert.True(message.Length < 300, $"{message.Length} characters");
        }
    }

    [Fact]
    public async Task Text_that_cannot_fit_the_context_is_refused_by_its_size_before_tokenizing()
    {
        await using var server = await TestServer.StartAsync(o => o with { MaxRequestBodyBytes = 8 * 1024 * 1024 });
        var megabytes = new string('a', 3 * 1024 * 1024);
        var requests = new (string Path, object Body, string Param)[]
        {
            ("/v1/completions", new { prompt = megabytes }, "prompt"),
            ("/v1/chat/completions", new { messages = new[] { new { role = "user", content = megabytes } } }, "messages"),
            ("/tokenize", new { content = megabytes }, "content"),
            ("/v1/embeddings", new { input = megabytes }, "input"),
        };
        foreach (var (path, body, param) in requests)
        {
            using var response = await server.PostJsonAsync(path, JsonSerializer.Serialize(body));

            var error = await OpenAiError.ReadAsync(response, 400);
            Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
            Assert.Equal(param, error.GetProperty("param").GetString());
            Assert.Contains("bytes of text", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        // Text the size check lets through is still tokenized and judged by its token count.
        var tokenized = await server.PostForJsonAsync("/tokenize", JsonSerializer.Serialize(new { content = new string('a', 256) }));
        Assert.True(tokenized.GetProperty("tokens").GetArrayLength() > 0);
    }
}
