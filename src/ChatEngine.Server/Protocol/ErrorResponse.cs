using System.Text.Json;

namespace ChatEngine.Server.Protocol;

/// <summary>Writes OpenAI's error object.</summary>
internal static class ErrorResponse
{
    public static Task WriteAsync(HttpContext context, ApiException error) =>
        WriteAsync(context, error.StatusCode, error.Message, error.Type, error.Param, error.Code);

    public static async Task WriteAsync(HttpContext context, int status, string message, string type, string? param = null, string? code = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, JsonOutput.Options);
        Write(json, message, type, param, code);
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>The error object alone (as the data of a stream's error event).</summary>
    public static void Write(Utf8JsonWriter json, ApiException error) => Write(json, error.Message, error.Type, error.Param, error.Code);

    private static void Write(Utf8JsonWriter json, string message, string type, string? param, string? code)
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", message);
        json.WriteString("type", type);
        WriteNullable(json, "param", param);
        WriteNullable(json, "code", code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }
}
