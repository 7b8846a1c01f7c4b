namespace ChatEngine.Server.Protocol;

/// <summary>
/// A request the server refuses, answered as OpenAI's error object
/// <c>{"error":{"message","type","param","code"}}</c> with <see cref="StatusCode"/>.
/// </summary>
internal sealed class ApiException(int statusCode, string message, string type, string? param = null, string? code = null)
    : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    public static ApiException InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, code);
}
