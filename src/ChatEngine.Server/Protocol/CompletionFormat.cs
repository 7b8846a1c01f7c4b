using System.Text.Json;
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

    public abstract void WriteResponse(Utf8JsonWriter json, ResponseHeader header, string text, FinishReason finish, Usage usage);

    /// <summary>Whether a stream starts with <see cref="WriteOpeningChunk"/> (chat: the assistant role).</summary>
    public abstract bool HasOpeningChunk { get; }

    public abstract void WriteOpeningChunk(Utf8JsonWriter json, ResponseHeader header, bool includeUsage);

    /// <summary>A content chunk (<paramref name="finish"/> null) or the final one (chat: empty delta; text: empty text).</summary>
    public abstract void WriteChunk(Utf8JsonWriter json, ResponseHeader header, string text, FinishReason? finish, bool includeUsage);

    /// <summary>The extra last chunk of <c>stream_options.include_usage</c>: no choices, the usage.</summary>
    public void WriteUsageChunk(Utf8JsonWriter json, ResponseHeader header, Usage usage)
    {
        WriteStart(json, header, ChunkObject);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    protected abstract string ChunkObject { get; }

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
        else json.WriteString("finish_reason", finish == FinishReason.Stop ? "stop" : "length");
    }

    protected static void WriteUsage(Utf8JsonWriter json, Usage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    protected static void EndChunk(Utf8JsonWriter json, bool includeUsage)
    {
        if (includeUsage) json.WriteNull("usage");
        json.WriteEndObject();
    }

    private sealed class ChatFormat : CompletionFormat
    {
        public override string IdPrefix => "chatcmpl-";
        protected override string ChunkObject => "chat.completion.chunk";

        public override void WriteResponse(Utf8JsonWriter json, ResponseHeader header, string text, FinishReason finish, Usage usage)
        {
            WriteStart(json, header, "chat.completion");
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", text);
            json.WriteNull("refusal");
            json.WriteEndObject();
            json.WriteNull("logprobs");
            WriteFinish(json, finish);
            json.WriteEndObject();
            json.WriteEndArray();
            WriteUsage(json, usage);
            json.WriteEndObject();
        }

        public override bool HasOpeningChunk => true;

        public override void WriteOpeningChunk(Utf8JsonWriter json, ResponseHeader header, bool includeUsage)
        {
            WriteStart(json, header, ChunkObject);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
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

        public override void WriteChunk(Utf8JsonWriter json, ResponseHeader header, string text, FinishReason? finish, bool includeUsage)
        {
            WriteStart(json, header, ChunkObject);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("delta");
            if (finish is null) json.WriteString("content", text);
            json.WriteEndObject();
            json.WriteNull("logprobs");
            WriteFinish(json, finish);
            json.WriteEndObject();
            json.WriteEndArray();
            EndChunk(json, includeUsage);
        }
    }

    private sealed class TextFormat : CompletionFormat
    {
        public override string IdPrefix => "cmpl-";
        protected override string ChunkObject => "text_completion";

        public override void WriteResponse(Utf8JsonWriter json, ResponseHeader header, string text, FinishReason finish, Usage usage)
        {
            WriteStart(json, header, "text_completion");
            WriteChoice(json, text, finish);
            WriteUsage(json, usage);
            json.WriteEndObject();
        }

        public override bool HasOpeningChunk => false;

        public override void WriteOpeningChunk(Utf8JsonWriter json, ResponseHeader header, bool includeUsage) =>
            throw new InvalidOperationException("text completion streams have no opening chunk");

        public override void WriteChunk(Utf8JsonWriter json, ResponseHeader header, string text, FinishReason? finish, bool includeUsage)
        {
            WriteStart(json, header, ChunkObject);
            WriteChoice(json, text, finish);
            EndChunk(json, includeUsage);
        }

        private static void WriteChoice(Utf8JsonWriter json, string text, FinishReason? finish)
        {
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteString("text", text);
            json.WriteNumber("index", 0);
            json.WriteNull("logprobs");
            WriteFinish(json, finish);
            json.WriteEndObject();
            json.WriteEndArray();
        }
    }
}
