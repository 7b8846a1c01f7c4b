namespace ChatEngine.Server.Chat;

/// <summary>What a chat client needs to know about the server: the model it serves (null while loading) and its limits.</summary>
public sealed record ChatServerInfo(string? Model, bool Ready, int ContextSize, int Slots);
