using Xunit;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ChatEngine.TestData;

namespace ChatEngine.Server.Tests;

/// <summary>A real server on 127.0.0.1 (port picked by the OS) serving stories260K, plus an HttpClient pointed at it
/// that checks each accepted request against the server's OpenAPI document (<see cref="OpenApiContractHandler"/>).</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(ChatEngineServer server, HttpClient http)
    {
        Server = server;
        Http = http;
    }

    public static string ModelPath => TestPaths.Model("stories260K.gguf");

    public ChatEngineServer Server { get; }
    public HttpClient Http { get; }
    public Uri BaseAddress => Server.BaseAddress;

    public static async Task<TestServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, bool waitForModel = true)
    {
        var options = new ServerOptions { ModelPath = ModelPath, Port = 0, Parallel = 8, ContextSize = 256, Threads = 1, QueueLimit = 16 };
        if (configure is not null) options = configure(options);
        var server = ChatEngineServer.Create(options);
        await server.StartAsync();
        if (waitForModel) await server.WaitUntilReadyAsync();
        var http = new HttpClient(new OpenApiContractHandler()) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (options.ApiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        return new TestServer(server, http);
    }

    /// <summary>The official OpenAI SDK pointed at this server.</summary>
    public OpenAI.OpenAIClient OpenAi => new(new System.ClientModel.ApiKeyCredential(Server.Options.ApiKey ?? "unused"),
        new OpenAI.OpenAIClientOptions { Endpoint = new Uri(BaseAddress, "v1") });

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, CancellationToken cancellation = default) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellation);

    public async Task<HttpResponseMessage> PostStreamingAsync(string path, string json, CancellationToken cancellation = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
    }

    public async Task<JsonElement> PostForJsonAsync(string path, string json)
    {
        using var response = await PostJsonAsync(path, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls until the server reports no active slot (or fails after <paramref name="timeout"/>).</summary>
    public async Task WaitForIdleSlotsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Server.ActiveSlots != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Server.ActiveSlots} slots still active after {timeout}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
