namespace ChatEngine.Server.Chat;

/// <summary>
/// What a chat client sends to <c>StreamChat</c>: the conversation so far (ending with the user's turn) and how to
/// answer it. Unset sampling values keep the server's defaults (llama.cpp's); <see cref="MaxTokens"/> unset or larger
/// than the room left in the context means "until the context is full".
/// </summary>
public sealed record ChatStreamRequest
{
    public IReadOnlyList<ChatTurn> Messages { get; init; } = [];

    /// <summary>Prepended as a <c>system</c> message when not empty.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>The model id (as in <c>/v1/models</c>); null for the served model.</summary>
    public string? Model { get; init; }
    public float? Temperature { get; init; }
    public float? TopP { get; init; }
    public int? MaxTokens { get; init; }
    public ulong? Seed { get; init; }

    /// <summary>Thinking on or off for templates that offer it (<see cref="ChatServerInfo.ThinkingToggle"/>: the
    /// template reads <c>enable_thinking</c>, as Qwen3's and QwQ's do); null keeps the template's default.</summary>
    public bool? Thinking { get; init; }
}

/// <summary>One message of a conversation: <c>role</c> is <c>system</c>, <c>user</c> or <c>assistant</c>.</summary>
public sealed record ChatTurn(string Role, string Content);
