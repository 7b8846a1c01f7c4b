namespace ChatEngine.Extensions.AI;

/// <summary>How an <see cref="InProcessModel"/> runs its model.</summary>
public sealed record InProcessModelOptions
{
    /// <summary>Tokens per sequence (prompt plus completion); each concurrent sequence has a KV cache this long.</summary>
    public int ContextSize { get; init; } = 2048;

    /// <summary>Sequences generated at once, batched into shared forward passes (the engine's slots); further calls
    /// wait in the queue.</summary>
    public int MaxConcurrentSequences { get; init; } = 4;

    /// <summary>Calls that may wait for a free sequence; one more is refused with <see cref="InvalidOperationException"/>.</summary>
    public int QueueLimit { get; init; } = 256;

    /// <summary>Compute threads when <see cref="InProcessModel.Load"/> loads the model (0: all cores).</summary>
    public int Threads { get; init; }

    /// <summary>A Jinja chat template that replaces the GGUF's own (llama-server's <c>--chat-template-file</c>, here
    /// the template's text); null keeps the file's.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Completion length when <c>ChatOptions.MaxOutputTokens</c> is not set.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 256;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ContextSize, 2, nameof(ContextSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentSequences, 1, nameof(MaxConcurrentSequences));
        ArgumentOutOfRangeException.ThrowIfNegative(QueueLimit, nameof(QueueLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(Threads, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultMaxOutputTokens, 1, nameof(DefaultMaxOutputTokens));
    }
}
