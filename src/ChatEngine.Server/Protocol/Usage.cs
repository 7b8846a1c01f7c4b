namespace ChatEngine.Server.Protocol;

/// <summary>OpenAI's usage object; <paramref name="CachedTokens"/> of the prompt tokens came from the prefix cache.</summary>
internal readonly record struct Usage(int PromptTokens, int CompletionTokens, int CachedTokens = 0)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
