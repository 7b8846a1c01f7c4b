using System.Text;
using System.Text.Json;

namespace ChatEngine.Web.Conversations;

/// <summary>A conversation as a file to keep or share: Markdown to read, JSON to load elsewhere.</summary>
public static class ConversationExport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The title as a heading, then each message under who wrote it; message text stays as written (it is
    /// Markdown already).</summary>
    public static string ToMarkdown(Conversation conversation)
    {
        var text = new StringBuilder($"# {conversation.Title}\n");
        foreach (var message in conversation.Messages)
            text.Append($"\n**{(message.Role == "user" ? "You" : "Assistant")}:**\n\n{message.Content.TrimEnd()}\n");
        return text.ToString();
    }

    /// <summary>What the browser stores for it: title, messages with roles, answers' figures and kept versions.</summary>
    public static string ToJson(Conversation conversation) => JsonSerializer.Serialize(conversation, Json);

    /// <summary>A file name from the title: letters, digits and dashes only, never empty.</summary>
    public static string FileName(Conversation conversation, string extension)
    {
        var name = new string([.. conversation.Title.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')]).Trim('-');
        while (name.Contains("--", StringComparison.Ordinal)) name = name.Replace("--", "-", StringComparison.Ordinal);
        return $"{(name.Length == 0 ? "chat" : name[..Math.Min(name.Length, 60)])}.{extension}";
    }
}

public enum ExportFormat
{
    Markdown,
    Json,
}
