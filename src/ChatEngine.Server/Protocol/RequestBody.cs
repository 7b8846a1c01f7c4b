using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace ChatEngine.Server.Protocol;

/// <summary>
/// A JSON request object read field by field: every accessor checks the JSON type and throws an
/// <see cref="ApiException"/> naming the field, so a wrong type is a 400 and never a 500. A JSON null counts as absent.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private readonly JsonDocument _document;

    private RequestBody(JsonDocument document) => _document = document;

    public JsonElement Root => _document.RootElement;

    /// <summary>Reads and parses the body: 413 past <paramref name="limit"/>, 400 when not JSON of <paramref name="rootKind"/> (an object unless said).</summary>
    public static async Task<RequestBody> ReadAsync(HttpContext context, long limit, JsonValueKind rootKind = JsonValueKind.Object)
    {
        var request = context.Request;
        if (request.ContentLength > limit) throw TooLarge(limit);
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = limit;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw ApiException.InvalidRequest($"the request body is not valid JSON: {e.Message}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit);
        }
        if (document.RootElement.ValueKind != rootKind)
        {
            document.Dispose();
            throw ApiException.InvalidRequest($"the request body must be a JSON {rootKind.ToString().ToLowerInvariant()}");
        }
        return new RequestBody(document);
    }

    private static ApiException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {limit} bytes", "invalid_request_error");

    public bool TryGet(string name, out JsonElement value)
    {
        if (Root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null) return true;
        value = default;
        return false;
    }

    public string? String(string name)
    {
        if (!TryGet(name, out var value)) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(name, "a string");
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var value)) return null;
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw WrongType(name, "a boolean");
    }

    public long? Integer(string name) => TryGet(name, out var value) ? ReadInteger(value, name) : null;

    public float? Number(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number)) throw WrongType(name, "a number");
        return (float)number;
    }

    public static long ReadInteger(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Number) throw WrongType(name, "an integer");
        if (value.TryGetInt64(out var integer)) return integer;
        // 5.0 is an integer in JSON's eyes (and in Python clients'); 5.5 is not.
        if (value.TryGetDouble(out var number) && number == Math.Floor(number) && Math.Abs(number) < 9e15) return (long)number;
        throw WrongType(name, "an integer");
    }

    public static ApiException WrongType(string name, string expected) =>
        ApiException.InvalidRequest($"'{name}' must be {expected}", name, "invalid_type");

    public void Dispose() => _document.Dispose();
}
