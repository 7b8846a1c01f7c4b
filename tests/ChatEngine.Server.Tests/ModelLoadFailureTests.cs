using System.Net;
using System.Text.Json;
using ChatEngine.Gguf;
using ChatEngine.Runtime.Tests.Loading;
using Xunit;

namespace ChatEngine.Server.Tests;

public sealed class ModelLoadFailureTests
{
    [Theory]
    [InlineData("llama.embedding_length", uint.MaxValue)]
    [InlineData("llama.block_count", (uint)int.MaxValue)]
    public async Task A_model_with_an_absurd_hyper_parameter_fails_to_load_and_health_names_the_key(string key, uint value)
    {
        using var models = new MutatedModels();
        var path = models.WithUInt32(key, value);
        await using var server = await TestServer.StartAsync(o => o with { ModelPath = path }, waitForModel: false);

        var error = await Assert.ThrowsAsync<GgufFormatException>(() => server.Server.WaitUntilReadyAsync());
        using var health = await server.Http.GetAsync("/health");

        Assert.Equal(key, error.Field);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("unavailable_error", body.GetProperty("type").GetString());
        Assert.Contains($"{key} is {value}", body.GetProperty("message").GetString());
    }
}
