using System.Runtime.CompilerServices;
using ChatEngine.Runtime.Serving;
using Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI;

/// <summary>
/// <see cref="IChatClient"/> over an <see cref="InProcessModel"/>: the conversation is rendered with the model's chat
/// template and generated in this process. Streaming yields one update per piece of final text, then one carrying the
/// finish reason and token usage. Safe for concurrent use: concurrent calls are batched by the model's serving engine (see <see cref="InProcessModel"/>).
/// </summary>
public sealed class InProcessChatClient : IChatClient
{
    private readonly InProcessModel _model;

    /// <summary>A client over <paramref name="model"/>, which stays owned by the caller.</summary>
    public InProcessChatClient(InProcessModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        Metadata = new ChatClientMetadata("chatengine", providerUri: null, defaultModelId: model.ModelId);
    }

    /// <summary>Provider <c>chatengine</c> and the model id.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = _model.Renderer.RenderTokens(ChatOptionsMapping.Messages(messages, options), addGenerationPrompt: true);
        var generation = ChatOptionsMapping.Generation(options, _model.Options.DefaultMaxOutputTokens);
        var responseId = $"chatcmpl-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow;
        // The scheduler drops the sequence when this token is cancelled, also when the caller stops enumerating early.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var job = new GenerationJob(prompt, generation, stop.Token);
        if (!_model.Scheduler.TrySubmit(job))
            throw new InvalidOperationException(
                $"every one of the {_model.Options.MaxConcurrentSequences} sequences is busy and {_model.Options.QueueLimit} calls already wait (InProcessModelOptions.QueueLimit)");
        try
        {
            var generated = 0;
            await foreach (var token in job.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                generated++;
                if (token.Text.Length > 0) yield return Update(token.Text);
                if (token.FinishReason is not { } reason) continue;
                var last = Update(null);
                last.FinishReason = ChatOptionsMapping.FinishReason(reason);
                last.Contents.Add(new UsageContent(new UsageDetails { InputTokenCount = prompt.Length, OutputTokenCount = generated, TotalTokenCount = prompt.Length + generated }));
                yield return last;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        ChatResponseUpdate Update(string? text) => new(ChatRole.Assistant, text)
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = _model.ModelId,
            CreatedAt = created,
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        if (serviceType == typeof(InProcessModel)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the <see cref="InProcessModel"/> belongs to whoever created it.</summary>
    public void Dispose()
    {
    }
}
