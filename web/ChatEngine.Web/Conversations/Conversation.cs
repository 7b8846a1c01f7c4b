namespace ChatEngine.Web.Conversations;

/// <summary>One chat as kept in the browser's local storage.</summary>
public sealed class Conversation
{
    public const string DefaultTitle = "New chat";

    public string Id { get; set; } = Guid.NewGuid().ToString("N");
    public string Title { get; set; } = DefaultTitle;
    public List<ChatEntry> Messages { get; set; } = [];

    /// <summary>Whether <paramref name="query"/> occurs (ignoring case) in the title or any message; an empty query
    /// matches every conversation.</summary>
    public bool Contains(string query) =>
        string.IsNullOrWhiteSpace(query)
        || Title.Contains(query.Trim(), StringComparison.OrdinalIgnoreCase)
        || Messages.Any(m => m.Content.Contains(query.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>A message of a conversation; answers carry how they ended and how fast they came. A regenerated answer
/// keeps the earlier ones as <see cref="Versions"/> (every answer to that turn, oldest first); <see cref="Content"/> and
/// <see cref="Stats"/> are the one shown, which is also what the next turn sends.</summary>
public sealed class ChatEntry
{
    public string Role { get; set; } = "user";
    public string Content { get; set; } = "";

    /// <summary>An answer's reasoning (a thinking model's), shown folded above it; empty for most answers.</summary>
    public string Reasoning { get; set; } = "";
    public AnswerStats? Stats { get; set; }
    public List<AnswerVersion> Versions { get; set; } = [];
    public int Shown { get; set; }

    /// <summary>Shows version <paramref name="index"/> of <see cref="Versions"/>.</summary>
    public void Show(int index)
    {
        Shown = Math.Clamp(index, 0, Versions.Count - 1);
        Content = Versions[Shown].Content;
        Reasoning = Versions[Shown].Reasoning;
        Stats = Versions[Shown].Stats;
    }

    /// <summary>Keeps this (finished) answer as the newest version after <paramref name="earlier"/>'s, and shows it.</summary>
    public void KeepVersionsOf(ChatEntry earlier)
    {
        Versions = earlier.Versions.Count > 0 ? earlier.Versions : [new AnswerVersion(earlier.Content, earlier.Stats, earlier.Reasoning)];
        Versions.Add(new AnswerVersion(Content, Stats, Reasoning));
        Shown = Versions.Count - 1;
    }
}

/// <summary>One of the answers a turn got.</summary>
public sealed record AnswerVersion(string Content, AnswerStats? Stats, string Reasoning = "");

/// <summary><see cref="FinishReason"/> is <c>stop</c>, <c>length</c> or <c>stopped</c> (the user pressed Stop);
/// <see cref="ContextFull"/> and <see cref="OmittedMessages"/> as in the server's summary.</summary>
public sealed record AnswerStats(string FinishReason, int CompletionTokens, double TimeToFirstTokenMs, double TokensPerSecond,
    bool ContextFull = false, int OmittedMessages = 0);
