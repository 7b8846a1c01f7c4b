using System.Text.Json;

namespace ChatEngine.Eval.Http;

/// <summary>A one-line description of an OpenAI error object or error response body.</summary>
public static class ErrorText
{
    public static string Describe(JsonElement error)
    {
        if (error.ValueKind == JsonValueKind.String) return error.GetString()!;
        if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            return message.GetString()!;
        return error.GetRawText();
    }

    /// <summary>The <c>error.message</c> of an error body when it has one, else the body itself (shortened).</summary>
    public static string FromBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
                return Describe(error);
        }
        catch (JsonException)
        {
            // not JSON: the raw body is the best description
        }
        return body.Length <= 200 ? body : body[..200] + "...";
    }
}
