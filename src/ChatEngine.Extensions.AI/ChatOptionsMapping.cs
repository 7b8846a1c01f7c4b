using System.Text.Json.Nodes;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI;

/// <summary>Translates Microsoft.Extensions.AI requests into the runtime's conversation and generation settings.</summary>
internal static class ChatOptionsMapping
{
    /// <summary>The conversation as the chat template expects it; <see cref="ChatOptions.Instructions"/> becomes a leading system message.</summary>
    public static JsonArray Messages(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var array = new JsonArray();
        if (!string.IsNullOrEmpty(options?.Instructions)) array.Add(Message("system", options.Instructions));
        foreach (var message in messages) array.Add(Message(message.Role.Value, message.Text));
        if (array.Count == 0) throw new ArgumentException("at least one message is required", nameof(messages));
        return array;
    }

    /// <summary>Unset options keep llama.cpp's sampling defaults, as the HTTP server does; tools and non-text formats are refused.</summary>
    public static GenerationOptions Generation(ChatOptions? options, int defaultMaxTokens)
    {
        if (options?.Tools is { Count: > 0 }) throw new NotSupportedException("tool calling is not supported by the in-process chat client");
        if (options?.ResponseFormat is not null and not ChatResponseFormatText)
            throw new NotSupportedException("only text responses are supported by the in-process chat client");
        var sampling = SamplingOptions.Default;
        if (options?.Temperature is { } temperature) sampling = sampling with { Temperature = temperature };
        if (options?.TopP is { } topP) sampling = sampling with { TopP = topP };
        if (options?.TopK is { } topK) sampling = sampling with { TopK = topK };
        if (options?.PresencePenalty is { } presence) sampling = sampling with { PresencePenalty = presence };
        if (options?.FrequencyPenalty is { } frequency) sampling = sampling with { FrequencyPenalty = frequency };
        if (options?.Seed is { } seed) sampling = sampling with { Seed = unchecked((ulong)seed) };
        return new GenerationOptions
        {
            MaxTokens = options?.MaxOutputTokens ?? defaultMaxTokens,
            Sampling = sampling,
            StopSequences = options?.StopSequences is { } stops ? [.. stops] : [],
        };
    }

    public static ChatFinishReason FinishReason(FinishReason reason) => reason == Runtime.Generation.FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };
}
