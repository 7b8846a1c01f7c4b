using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ChatEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class OpenApiTests(ServerFixture fixture)
{
    [Fact]
    public async Task The_document_lists_every_mapped_route_with_an_operation_id()
    {
        var document = await DocumentAsync();
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => (Method: operation.Name.ToUpperInvariant(), Path: path.Name, Operation: operation.Value)))
            .ToList();

        var mapped = fixture.Server.Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            // Not HTTP API operations: the fallback 404, the SignalR hub (docs/chat-hub.md) and the document itself.
            .Where(e => e.Order != int.MaxValue && e.Metadata.GetMetadata<HubMetadata>() is null
                && e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(method => (Method: method, Path: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .ToHashSet();

        Assert.Equal(mapped.Order(), documented.Select(d => (d.Method, d.Path)).Order());
        Assert.All(documented, d => Assert.False(string.IsNullOrEmpty(d.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : null), $"{d.Method} {d.Path} has no operationId"));
    }

    [Theory]
    [InlineData("/v1/chat/completions", "messages")]
    [InlineData("/v1/completions", "prompt")]
    [InlineData("/v1/embeddings", "input")]
    public async Task Generation_and_embedding_operations_declare_their_json_request_body(string path, string required)
    {
        var document = await DocumentAsync();
        var content = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content");
        var schema = content.GetProperty("application/json").GetProperty("schema");
        Assert.Equal([required], schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var properties = schema.GetProperty("properties");
        Assert.True(properties.TryGetProperty("model", out _));
        if (path != "/v1/embeddings")
        {
            // Numbers only as JSON numbers, as the request reader takes them.
            Assert.Equal(["null", "integer"], properties.GetProperty("max_tokens").GetProperty("type").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal(["null", "number"], properties.GetProperty("temperature").GetProperty("type").EnumerateArray().Select(t => t.GetString()));
        }
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await fixture.Server.Http.GetAsync("/openapi/v1.json");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
