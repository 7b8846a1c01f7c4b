namespace ChatEngine.Server.Protocol;

/// <summary>OpenAI's usage object; <paramref name="CachedTokens"/> of the prompt tokens came from the prefix cache;
/// <paramref name="ContextShifts"/> shifts (<c>--context-shift</c>) dropped <paramref name="DiscardedTokens"/> tokens.</summary>
internal readonly record struct Usage(int PromptTokens, int CompletionTokens, int CachedTokens = 0, int ContextShifts = 0, int DiscardedTokens = 0)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
