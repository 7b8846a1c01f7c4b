namespace ChatEngine.Server.Chat;

/// <summary>Why a chat request was refused: <see cref="Code"/> is a stable snake_case word clients can switch on.</summary>
public sealed class ChatException(string code, string message) : Exception(message)
{
    public const string InvalidRequest = "invalid_request";
    public const string QueueFull = "queue_full";
    public const string Unavailable = "unavailable";

    /// <summary>The answer started but the sequence failed (the server goes on serving others).</summary>
    public const string ServerError = "server_error";

    public string Code { get; } = code;

    /// <summary>The form hub clients receive as the error message: <c>code: message</c>.</summary>
    public string WireMessage => $"{Code}: {Message}";
}
