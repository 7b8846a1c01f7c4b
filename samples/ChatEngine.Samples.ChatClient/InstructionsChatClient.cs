using Microsoft.Extensions.AI;

namespace ChatEngine.Samples.ChatClient;

/// <summary>Middleware that gives every request the same system instructions unless the caller set its own.</summary>
public sealed class InstructionsChatClient(IChatClient inner, string instructions) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, WithInstructions(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, WithInstructions(options), cancellationToken);

    private ChatOptions WithInstructions(ChatOptions? options)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        copy.Instructions ??= instructions;
        return copy;
    }
}
