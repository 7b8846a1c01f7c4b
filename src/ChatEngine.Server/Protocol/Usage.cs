namespace ChatEngine.Server.Protocol;

/// <summary>OpenAI's usage object.</summary>
internal readonly record struct Usage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
