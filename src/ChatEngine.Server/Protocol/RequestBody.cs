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

    /// <summary>Reads and parses the body: 415 unless sent as JSON, 413 past <paramref name="limit"/>, 400 when not JSON of
    /// <paramref name="rootKind"/> (an object unless said) or when a string in it is not valid Unicode.</summary>
    public static async Task<RequestBody> ReadAsync(HttpContext context, long limit, JsonValueKind rootKind = JsonValueKind.Object)
    {
        var request = context.Request;
        // A web page may send text/plain or form bodies to any address without asking (no CORS preflight); JSON
        // bodies need the preflight that a foreign origin does not pass.
        if (!request.HasJsonContentType())
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType,
                $"the request body must be sent as Content-Type: application/json (got '{ErrorText.Excerpt(request.ContentType)}')",
                "invalid_request_error", null, "unsupported_media_type");
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
        if (FirstInvalidText(document.RootElement, "") is { } invalid)
        {
            document.Dispose();
            var param = invalid.Length == 0 ? null : invalid;
            throw ApiException.InvalidRequest(
                $"{(param is null ? "the body" : $"'{ErrorText.Excerpt(param)}'")} is not valid text: it holds invalid UTF-8 or an unpaired UTF-16 surrogate escape",
                param, "invalid_value");
        }
        return new RequestBody(document);
    }

    /// <summary>
    /// The path of the first string or property name that is not valid Unicode (invalid UTF-8 bytes, or an escape
    /// such as <c>\ud800</c> that leaves a surrogate unpaired), or null. The parser accepts both; decoding them later
    /// would fail deep inside an endpoint.
    /// </summary>
    private static string? FirstInvalidText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsValidText(element) ? null : path;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstInvalidText(item, $"{path}[{index++}]") is { } found) return found;
                }
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path;
                    }
                    if (FirstInvalidText(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } found) return found;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool IsValidText(JsonElement text)
    {
        try
        {
            text.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
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
