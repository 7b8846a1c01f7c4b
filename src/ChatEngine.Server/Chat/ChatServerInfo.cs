namespace ChatEngine.Server.Chat;

/// <summary>What a chat client needs to know about the server: the model it serves (null while loading), its limits,
/// and whether the chat template lets thinking be turned on and off (<see cref="ChatStreamRequest.Thinking"/>).</summary>
public sealed record ChatServerInfo(string? Model, bool Ready, int ContextSize, int Slots, bool ThinkingToggle = false);
