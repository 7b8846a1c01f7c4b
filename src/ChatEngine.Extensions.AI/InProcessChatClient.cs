using System.Runtime.CompilerServices;
using System.Text.Json;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Constraints;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Serving;
using ChatEngine.Runtime.Tools;
using Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI;

/// <summary>
/// <see cref="IChatClient"/> over an <see cref="InProcessModel"/>: the conversation is rendered with the model's chat
/// template and generated in this process. Streaming yields one update per piece of final text (and of reasoning,
/// as <see cref="TextReasoningContent"/>, when tools are offered), then one carrying the tool calls as
/// <see cref="FunctionCallContent"/>, the finish reason and token usage. Tools: function declarations reach the template
/// as the HTTP server passes them; <see cref="ChatToolMode.RequireAny"/> or a required function forces one
/// schema-valid call, auto completes any call the model starts validly (<see cref="ToolCallGrammar"/>). Safe for concurrent use: concurrent calls are batched by the model's serving engine (see <see cref="InProcessModel"/>).
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
        var tools = ChatOptionsMapping.Tools(options);
        var conversation = ChatOptionsMapping.Messages(messages, options);
        if (tools.TemplateTools is { } offered
            && _model.Renderer.Render(conversation, addGenerationPrompt: true, offered) == _model.Renderer.Render(conversation, addGenerationPrompt: true))
            throw new NotSupportedException("the model's chat template does not support tools (it renders the same prompt without them); set InProcessModelOptions.ChatTemplate");
        var prompt = _model.Renderer.RenderTokens(conversation, addGenerationPrompt: true, tools.TemplateTools);
        var generation = ChatOptionsMapping.Generation(options, _model.Options.DefaultMaxOutputTokens);
        var output = OutputParser(tools, prompt, ref generation);
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
                if (output is null)
                {
                    if (token.Text.Length > 0) yield return Update(new TextContent(token.Text));
                }
                else
                {
                    foreach (var delta in output.Feed(token.Text)) if (Content(delta) is { } content) yield return Update(content);
                }
                if (token.FinishReason is not { } reason) continue;
                var calls = new List<FunctionCallContent>();
                if (output?.Finish() is { } end)
                {
                    foreach (var delta in end.Deltas) if (Content(delta) is { } content) yield return Update(content);
                    calls.AddRange(end.Message.ToolCalls.Select(call => new FunctionCallContent(call.Id, call.Name, ParseArguments(call.Arguments))));
                }
                var last = Update(null);
                last.FinishReason = ChatOptionsMapping.FinishReason(reason, calls.Count > 0);
                foreach (var call in calls) last.Contents.Add(call);
                last.Contents.Add(new UsageContent(new UsageDetails { InputTokenCount = prompt.Length, OutputTokenCount = generated, TotalTokenCount = prompt.Length + generated }));
                yield return last;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        ChatResponseUpdate Update(AIContent? content) => new(ChatRole.Assistant, content is null ? [] : [content])
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = _model.ModelId,
            CreatedAt = created,
        };
    }

    /// <summary>
    /// With tools offered (and not turned off by <see cref="ChatToolMode.None"/>), the streaming parser of the template's
    /// family, and the constraint the tool mode asks (a forced call, or a lazy grammar that completes a started call).
    /// </summary>
    private StreamingChatOutputParser? OutputParser(ChatOptionsMapping.ToolRequest tools, int[] prompt, ref GenerationOptions generation)
    {
        if (tools.Functions.Count == 0 || tools.Choice.Mode == ToolChoiceMode.None) return null;
        var format = ChatOutputFormat.FromTemplate(_model.Renderer.Template.Source);
        var startsInReasoning = format.PromptOpensReasoning(_model.Model.Tokenizer.Decode(prompt, removeSpecial: false));
        if (ToolCallGrammar.For(format, tools.Functions, tools.Choice, startsInReasoning) is { } grammar)
        {
            TokenTrie.For(_model.Model.Tokenizer);
            generation = generation with { OutputGrammar = grammar };
        }
        return new ChatOutputParser(format, new ChatOutputOptions
        {
            ReasoningStartsOpen = startsInReasoning,
            Tools = JsonSerializer.SerializeToElement(tools.TemplateTools),
        }).StartStream();
    }

    /// <summary>Text and reasoning as they stream; calls are reported whole at the end, as the OpenAI adapter does.</summary>
    private static AIContent? Content(ChatOutputDelta delta) =>
        delta.Content is { Length: > 0 } text ? new TextContent(text)
        : delta.Reasoning is { Length: > 0 } reasoning ? new TextReasoningContent(reasoning)
        : null;

    private static Dictionary<string, object?> ParseArguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, object?>>(json, AIJsonUtilities.DefaultOptions) ?? [];

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
