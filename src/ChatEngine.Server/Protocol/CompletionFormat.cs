using System.Text.Json;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Generation;

namespace ChatEngine.Server.Protocol;

/// <summary>
/// The wire shapes of one endpoint family, written with <see cref="Utf8JsonWriter"/> so every field (including the
/// explicit nulls OpenAI sends) is exactly where the official SDKs expect it: <see cref="Chat"/> for
/// <c>chat.completion</c> / <c>chat.completion.chunk</c>, <see cref="Text"/> for <c>text_completion</c>.
/// </summary>
internal abstract class CompletionFormat
{
    public static CompletionFormat Chat { get; } = new ChatFormat();
    public static CompletionFormat Text { get; } = new TextFormat();

    public abstract string IdPrefix { get; }

    public void WriteResponse(Utf8JsonWriter json, ResponseHeader header, IReadOnlyList<ChoiceResult> choices, Usage usage, LogProbabilityWriter logProbabilities)
    {
        WriteStart(json, header, ResponseObject);
        json.WriteStartArray("choices");
        foreach (var choice in choices) WriteChoice(json, choice, logProbabilities);
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    /// <summary>Whether a stream starts with <see cref="WriteOpeningChunk"/> for each choice (chat: the assistant role).</summary>
    public abstract bool HasOpeningChunk { get; }

    public abstract void WriteOpeningChunk(Utf8JsonWriter json, ResponseHeader header, int index, bool includeUsage);

    /// <summary>A content chunk of choice <paramref name="index"/> (<paramref name="finish"/> null) or its final one
    /// (chat: empty delta; text: empty text), with the log-probabilities of the tokens it covers when requested.</summary>
    public void WriteChunk(Utf8JsonWriter json, ResponseHeader header, int index, string text, IReadOnlyList<LoggedToken>? tokens,
        FinishReason? finish, bool includeUsage, LogProbabilityWriter logProbabilities)
    {
        WriteStart(json, header, ChunkObject);
        json.WriteStartArray("choices");
        WriteChoice(json, index, text, tokens, finish, logProbabilities, complete: false);
        json.WriteEndArray();
        EndChunk(json, includeUsage);
    }

    /// <summary>
    /// A chat chunk of parsed output: one delta (content, reasoning_content or one tool_calls entry) with the
    /// log-probabilities of the tokens it covers, or the final empty delta with <paramref name="finish"/>.
    /// </summary>
    public static void WriteParsedChunk(Utf8JsonWriter json, ResponseHeader header, int index, ChatOutputDelta? delta, IReadOnlyList<LoggedToken>? tokens,
        string? finish, bool includeUsage, LogProbabilityWriter logProbabilities)
    {
        WriteStart(json, header, Chat.ChunkObject);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteStartObject("delta");
        if (delta?.Content is { } content) json.WriteString("content", content);
        if (delta?.Reasoning is { } reasoning) json.WriteString("reasoning_content", reasoning);
        if (delta?.ToolCall is { } call)
        {
            json.WriteStartArray("tool_calls");
            json.WriteStartObject();
            json.WriteNumber("index", call.Index);
            if (call.Id is { } id) json.WriteString("id", id);
            if (call.Type is { } type) json.WriteString("type", type);
            json.WriteStartObject("function");
            if (call.Name is { } name) json.WriteString("name", name);
            if (call.Arguments is { } arguments) json.WriteString("arguments", arguments);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteEndObject();
        logProbabilities.WriteChat(json, tokens);
        if (finish is null) json.WriteNull("finish_reason");
        else json.WriteString("finish_reason", finish);
        json.WriteEndObject();
        json.WriteEndArray();
        EndChunk(json, includeUsage);
    }

    /// <summary>The extra last chunk of <c>stream_options.include_usage</c>: no choices, the usage.</summary>
    public void WriteUsageChunk(Utf8JsonWriter json, ResponseHeader header, Usage usage)
    {
        WriteStart(json, header, ChunkObject);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    /// <summary>One entry of a whole response's <c>choices</c>.</summary>
    protected virtual void WriteChoice(Utf8JsonWriter json, ChoiceResult choice, LogProbabilityWriter logProbabilities) =>
        WriteChoice(json, choice.Index, choice.Text, choice.LogProbabilities, choice.Finish, logProbabilities, complete: true);

    protected abstract string ResponseObject { get; }
    protected abstract string ChunkObject { get; }

    /// <summary>One entry of <c>choices</c>: a whole one (<paramref name="complete"/>) or a streamed piece.</summary>
    protected abstract void WriteChoice(Utf8JsonWriter json, int index, string text, IReadOnlyList<LoggedToken>? tokens, FinishReason? finish,
        LogProbabilityWriter logProbabilities, bool complete);

    protected static void WriteStart(Utf8JsonWriter json, ResponseHeader header, string objectName)
    {
        json.WriteStartObject();
        json.WriteString("id", header.Id);
        json.WriteString("object", objectName);
        json.WriteNumber("created", header.Created);
        json.WriteString("model", header.Model);
        json.WriteString("system_fingerprint", header.SystemFingerprint);
    }

    protected static void WriteFinish(Utf8JsonWriter json, FinishReason? finish)
    {
        if (finish is null) json.WriteNull("finish_reason");
        else json.WriteString("finish_reason", WireName(finish.Value));
    }

    /// <summary>A chat choice that ended on its own with tool calls reports <c>tool_calls</c>; a length cut stays <c>length</c>.</summary>
    public static string WireName(FinishReason finish, bool hasToolCalls) =>
        hasToolCalls && finish == FinishReason.Stop ? "tool_calls" : WireName(finish);

    /// <summary>The <c>finish_reason</c> string: <c>stop</c>, <c>length</c>, or <c>shutdown</c> (the server's shutdown deadline).</summary>
    public static string WireName(FinishReason finish) => finish switch
    {
        FinishReason.Length => "length",
        FinishReason.Shutdown => "shutdown",
        _ => "stop",
    };

    private static void WriteUsage(Utf8JsonWriter json, Usage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedTokens);
        json.WriteEndObject();
        if (usage.ContextShifts > 0)
        {
            json.WriteStartObject("context_shift");
            json.WriteNumber("shifts", usage.ContextShifts);
            json.WriteNumber("discarded_tokens", usage.DiscardedTokens);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void EndChunk(Utf8JsonWriter json, bool includeUsage)
    {
        if (includeUsage) json.WriteNull("usage");
        json.WriteEndObject();
    }

    private sealed class ChatFormat : CompletionFormat
    {
        public override string IdPrefix => "chatcmpl-";
        protected override string ResponseObject => "chat.completion";
        protected override string ChunkObject => "chat.completion.chunk";
        public override bool HasOpeningChunk => true;

        public override void WriteOpeningChunk(Utf8JsonWriter json, ResponseHeader header, int index, bool includeUsage)
        {
            WriteStart(json, header, ChunkObject);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", index);
            json.WriteStartObject("delta");
            json.WriteString("role", "assistant");
            json.WriteString("content", "");
            json.WriteNull("refusal");
            json.WriteEndObject();
            json.WriteNull("logprobs");
            WriteFinish(json, null);
            json.WriteEndObject();
            json.WriteEndArray();
            EndChunk(json, includeUsage);
        }

        protected override void WriteChoice(Utf8JsonWriter json, ChoiceResult choice, LogProbabilityWriter logProbabilities)
        {
            if (choice.Message is not { } message)
            {
                base.WriteChoice(json, choice, logProbabilities);
                return;
            }
            json.WriteStartObject();
            json.WriteNumber("index", choice.Index);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            // OpenAI sends null content for a message that is only calls.
            if (message.Content.Length == 0 && message.ToolCalls.Count > 0) json.WriteNull("content");
            else json.WriteString("content", message.Content);
            if (message.Reasoning.Length > 0) json.WriteString("reasoning_content", message.Reasoning);
            json.WriteNull("refusal");
            if (message.ToolCalls.Count > 0)
            {
                json.WriteStartArray("tool_calls");
                foreach (var call in message.ToolCalls)
                {
                    json.WriteStartObject();
                    json.WriteString("id", call.Id);
                    json.WriteString("type", "function");
                    json.WriteStartObject("function");
                    json.WriteString("name", call.Name);
                    json.WriteString("arguments", call.Arguments);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            logProbabilities.WriteChat(json, choice.LogProbabilities);
            json.WriteString("finish_reason", WireName(choice.Finish, message.ToolCalls.Count > 0));
            json.WriteEndObject();
        }

        protected override void WriteChoice(Utf8JsonWriter json, int index, string text, IReadOnlyList<LoggedToken>? tokens, FinishReason? finish,
            LogProbabilityWriter logProbabilities, bool complete)
        {
            json.WriteStartObject();
            json.WriteNumber("index", index);
            json.WriteStartObject(complete ? "message" : "delta");
            if (complete) json.WriteString("role", "assistant");
            if (complete || finish is null) json.WriteString("content", text);
            if (complete) json.WriteNull("refusal");
            json.WriteEndObject();
            logProbabilities.WriteChat(json, tokens);
            WriteFinish(json, finish);
            json.WriteEndObject();
        }
    }

    private sealed class TextFormat : CompletionFormat
    {
        public override string IdPrefix => "cmpl-";
        protected override string ResponseObject => "text_completion";
        protected override string ChunkObject => "text_completion";
        public override bool HasOpeningChunk => false;

        public override void WriteOpeningChunk(Utf8JsonWriter json, ResponseHeader header, int index, bool includeUsage) =>
            throw new InvalidOperationException("text completion streams have no opening chunk");

        protected override void WriteChoice(Utf8JsonWriter json, int index, string text, IReadOnlyList<LoggedToken>? tokens, FinishReason? finish,
            LogProbabilityWriter logProbabilities, bool complete)
        {
            json.WriteStartObject();
            json.WriteString("text", text);
            json.WriteNumber("index", index);
            logProbabilities.WriteLegacy(json, tokens);
            WriteFinish(json, finish);
            json.WriteEndObject();
        }
    }
}
