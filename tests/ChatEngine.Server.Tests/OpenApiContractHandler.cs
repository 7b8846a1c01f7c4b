using System.Text.Json;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>
/// Checks every JSON request body the server accepted (2xx) against the request schema that its OpenAPI document
/// declares for that path: the required fields are present, and each declared field has a JSON type the schema
/// allows. Fields the schema does not declare pass (the server ignores unknown fields); refused requests are not
/// checked, since the hostile-request tests send bodies that are wrong on purpose.
/// </summary>
public sealed class OpenApiContractHandler : DelegatingHandler
{
    private Task<JsonElement>? _document;

    public OpenApiContractHandler() : base(new HttpClientHandler())
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Method == HttpMethod.Post && request.Content?.Headers.ContentType?.MediaType == "application/json"
            ? await request.Content.ReadAsByteArrayAsync(cancellationToken)
            : null;
        var response = await base.SendAsync(request, cancellationToken);
        if (body is not null && response.IsSuccessStatusCode)
            Check(await LazyInitializer.EnsureInitialized(ref _document, () => FetchDocumentAsync(request, cancellationToken)), request.RequestUri!.AbsolutePath, body);
        return response;
    }

    private static void Check(JsonElement document, string path, byte[] body)
    {
        if (!document.GetProperty("paths").TryGetProperty(path, out var item) || !item.TryGetProperty("post", out var operation)
            || !operation.TryGetProperty("requestBody", out var requestBody))
            return;
        var schema = requestBody.GetProperty("content").GetProperty("application/json").GetProperty("schema");
        using var json = JsonDocument.Parse(new MemoryStream(body));
        var root = json.RootElement;
        if (schema.TryGetProperty("required", out var required))
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                Assert.True(root.TryGetProperty(name, out _), $"{path}: the server accepted a body without '{name}', which the document requires");
        var properties = schema.GetProperty("properties");
        foreach (var field in root.EnumerateObject())
        {
            if (!properties.TryGetProperty(field.Name, out var declared) || !declared.TryGetProperty("type", out var types)) continue;
            var allowed = types.ValueKind == JsonValueKind.Array ? types.EnumerateArray().Select(t => t.GetString()!).ToList() : [types.GetString()!];
            Assert.True(allowed.Contains(TypeOf(field.Value)) || (allowed.Contains("number") && TypeOf(field.Value) == "integer"),
                $"{path}: the server accepted '{field.Name}' as {TypeOf(field.Value)}, the document allows {string.Join('|', allowed)}");
        }
    }

    private static string TypeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    /// <summary>The document, asked for with the credentials of the request that needs it.</summary>
    private async Task<JsonElement> FetchDocumentAsync(HttpRequestMessage original, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(original.RequestUri!, "/openapi/v1.json"));
        request.Headers.Authorization = original.Headers.Authorization;
        using var response = await base.SendAsync(request, cancellation);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation));
        return document.RootElement.Clone();
    }
}
