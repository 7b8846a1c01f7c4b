namespace ChatEngine.Runtime.Model;

/// <summary>The tokens to evaluate (prompt plus generation) do not fit in the context that was allocated.</summary>
public sealed class ContextOverflowException(int requested, int contextSize)
    : InvalidOperationException($"{requested} tokens do not fit in the context of {contextSize} tokens")
{
    public int Requested { get; } = requested;
    public int ContextSize { get; } = contextSize;
}
