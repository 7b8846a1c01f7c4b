using System.Net;
using System.Net.Http.Headers;
using ChatEngine.Accounts;
using ChatEngine.Accounts.Tests;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>A server over a data directory: open while it has no user, then only for its users' keys (and --api-key).</summary>
public sealed class UserKeyTests : IDisposable
{
    private readonly TemporaryDataDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Without_users_every_endpoint_stays_open()
    {
        await using var server = await TestServer.StartAsync(o => o with { DataDir = _dir.Path, Parallel = 1 });

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, "/v1/models", key: null));
    }

    [Fact]
    public async Task Once_a_user_exists_only_an_unrevoked_user_key_or_the_api_key_opens_the_api_and_health_stays_open()
    {
        var store = AccountStore.Open(_dir.Path);
        store.AddUser("ada", "pw", isAdmin: false);
        var (key, plaintext) = store.CreateKey("ada");
        await using var server = await TestServer.StartAsync(o => o with { DataDir = _dir.Path, ApiKey = "server-key", Parallel = 1 });

        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        using var missing = await anonymous.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("invalid_api_key", (await OpenAiError.ReadAsync(missing, 401)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, "/v1/models", plaintext[..^1] + (plaintext[^1] == 'A' ? 'B' : 'A')));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, "/health", key: null));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, "/v1/models", plaintext));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, "/v1/models", "server-key"));

        store.RevokeKey(key.Prefix);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, "/v1/models", plaintext));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, "/v1/models", "server-key"));
    }

    [Fact]
    public async Task A_user_added_while_the_server_runs_closes_it_at_once_and_the_openai_sdk_gets_in_with_their_key()
    {
        await using var server = await TestServer.StartAsync(o => o with { DataDir = _dir.Path, Parallel = 1 });
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, "/v1/models", key: null));

        var store = AccountStore.Open(_dir.Path);
        store.AddUser("ada", "pw", isAdmin: false);
        var (_, plaintext) = store.CreateKey("ada");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, "/v1/models", key: null));
        var sdk = new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential(plaintext),
            new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "v1") });
        var models = await sdk.GetOpenAIModelClient().GetModelsAsync();
        Assert.Equal("stories260K", Assert.Single(models.Value).Id);
    }

    private static async Task<HttpStatusCode> StatusAsync(TestServer server, string path, string? key)
    {
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await anonymous.SendAsync(request);
        return response.StatusCode;
    }
}
