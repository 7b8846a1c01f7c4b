namespace ChatEngine.Web.Conversations;

/// <summary>One chat as kept in the browser's local storage.</summary>
public sealed class Conversation
{
    public const string DefaultTitle = "New chat";

    public string Id { get; set; } = Guid.NewGuid().ToString("N");
    public string Title { get; set; } = DefaultTitle;
    public List<ChatEntry> Messages { get; set; } = [];
}

/// <summary>A message of a conversation; answers carry how they ended and how fast they came.</summary>
public sealed class ChatEntry
{
    public string Role { get; set; } = "user";
    public string Content { get; set; } = "";
    public AnswerStats? Stats { get; set; }
}

/// <summary><see cref="FinishReason"/> is <c>stop</c>, <c>length</c> or <c>stopped</c> (the user pressed Stop);
/// <see cref="ContextFull"/> and <see cref="OmittedMessages"/> as in the server's summary.</summary>
public sealed record AnswerStats(string FinishReason, int CompletionTokens, double TimeToFirstTokenMs, double TokensPerSecond,
    bool ContextFull = false, int OmittedMessages = 0);
