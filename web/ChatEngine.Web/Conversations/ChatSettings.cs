namespace ChatEngine.Web.Conversations;

/// <summary>The settings panel's values, kept in local storage and applied to every answer.</summary>
public sealed class ChatSettings
{
    public string SystemPrompt { get; set; } = "";
    public float Temperature { get; set; } = 0.8f;
    public float TopP { get; set; } = 0.95f;
    public int MaxTokens { get; set; } = 256;
    public string? Model { get; set; }

    /// <summary>Let a thinking model think first (sent only where the template offers the switch).</summary>
    public bool Thinking { get; set; } = true;
}
