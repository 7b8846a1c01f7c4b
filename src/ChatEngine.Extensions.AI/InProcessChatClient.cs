using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ChatEngine.Runtime.Generation;
using Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI;

/// <summary>
/// <see cref="IChatClient"/> over an <see cref="InProcessModel"/>: the conversation is rendered with the model's chat
/// template and generated in this process. Streaming yields one update per piece of final text, then one carrying the
/// finish reason and token usage. Safe for concurrent use (see <see cref="InProcessModel"/>).
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
        using var lease = await _model.RentAsync(cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var updates = Channel.CreateUnbounded<ChatResponseUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() => Generate(lease.Context, prompt, generation, Update, updates.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var update in updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        ChatResponseUpdate Update(string? text) => new(ChatRole.Assistant, text)
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = _model.ModelId,
            CreatedAt = created,
        };
    }

    private void Generate(Runtime.InferenceContext context, int[] prompt, GenerationOptions options, Func<string?, ChatResponseUpdate> update,
        ChannelWriter<ChatResponseUpdate> writer, CancellationToken cancellation)
    {
        try
        {
            var generator = new TextGenerator(context, _model.Model.Tokenizer);
            using var tokens = generator.Generate(prompt, options, cancellation).GetEnumerator();
            var generated = 0;
            while (_model.RunForwardPass(tokens.MoveNext))
            {
                var token = tokens.Current;
                generated++;
                if (token.Text.Length > 0) writer.TryWrite(update(token.Text));
                if (token.FinishReason is not { } reason) continue;
                var last = update(null);
                last.FinishReason = ChatOptionsMapping.FinishReason(reason);
                last.Contents.Add(new UsageContent(new UsageDetails { InputTokenCount = prompt.Length, OutputTokenCount = generated, TotalTokenCount = prompt.Length + generated }));
                writer.TryWrite(last);
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
        }
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
