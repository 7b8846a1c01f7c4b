using System.Text.Json;
using System.Text.Json.Nodes;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Runtime.Tools;
using Microsoft.Extensions.AI;

namespace ChatEngine.Extensions.AI;

/// <summary>Translates Microsoft.Extensions.AI requests into the runtime's conversation and generation settings.</summary>
internal static class ChatOptionsMapping
{
    /// <summary>What <see cref="ChatOptions.Tools"/> and <see cref="ChatOptions.ToolMode"/> ask: the tools as the
    /// template sees them (OpenAI's shape; null for none), the functions and the tool choice.</summary>
    public sealed record ToolRequest(JsonArray? TemplateTools, IReadOnlyList<ToolFunction> Functions, ToolChoice Choice);

    /// <summary>
    /// The conversation as the chat template expects it, in OpenAI's shape (as the HTTP server hands it over):
    /// <see cref="ChatOptions.Instructions"/> becomes a leading system message, <see cref="FunctionCallContent"/> an
    /// assistant's <c>tool_calls</c> (arguments as a JSON string), each <see cref="FunctionResultContent"/> a
    /// <c>tool</c> message answering its call id.
    /// </summary>
    public static JsonArray Messages(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var array = new JsonArray();
        if (!string.IsNullOrEmpty(options?.Instructions)) array.Add(Message("system", options.Instructions));
        foreach (var message in messages)
        {
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            foreach (var result in results)
                array.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = result.CallId, ["content"] = ResultText(result.Result) });
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            if (results.Count > 0 && calls.Count == 0 && message.Text.Length == 0) continue;
            var mapped = Message(message.Role.Value, message.Text);
            if (calls.Count > 0)
            {
                mapped["tool_calls"] = new JsonArray([.. calls.Select(call => (JsonNode)new JsonObject
                {
                    ["id"] = call.CallId,
                    ["type"] = "function",
                    ["function"] = new JsonObject
                    {
                        ["name"] = call.Name,
                        ["arguments"] = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions),
                    },
                })]);
            }
            array.Add(mapped);
        }
        if (array.Count == 0) throw new ArgumentException("at least one message is required", nameof(messages));
        return array;
    }

    /// <summary>Function tools only; <see cref="ChatToolMode.RequireAny"/> and a required function name force a call.</summary>
    public static ToolRequest Tools(ChatOptions? options)
    {
        if (options?.Tools is not { Count: > 0 } tools) return new ToolRequest(null, [], ToolChoice.None);
        var functions = new List<ToolFunction>();
        var templateTools = new JsonArray();
        foreach (var tool in tools)
        {
            if (tool is not AIFunctionDeclaration function)
                throw new NotSupportedException($"the in-process chat client calls function tools only ('{tool.Name}' is a {tool.GetType().Name})");
            var parameters = JsonNode.Parse(function.JsonSchema.GetRawText()) as JsonObject;
            functions.Add(new ToolFunction(function.Name, function.Description, parameters));
            templateTools.Add(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = function.Name, ["description"] = function.Description, ["parameters"] = parameters },
            });
        }
        var choice = options.ToolMode switch
        {
            NoneChatToolMode => ToolChoice.None,
            RequiredChatToolMode { RequiredFunctionName: { } name } => new ToolChoice(ToolChoiceMode.Function, name),
            RequiredChatToolMode => new ToolChoice(ToolChoiceMode.Required),
            _ => ToolChoice.Auto,
        };
        return new ToolRequest(templateTools, functions, choice);
    }

    /// <summary>Unset options keep llama.cpp's sampling defaults, as the HTTP server does; non-text formats are refused.</summary>
    public static GenerationOptions Generation(ChatOptions? options, int defaultMaxTokens)
    {
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

    public static ChatFinishReason FinishReason(FinishReason reason, bool calls) => reason == Runtime.Generation.FinishReason.Length
        ? ChatFinishReason.Length
        : calls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;

    private static string ResultText(object? result) => result switch
    {
        null => "",
        string text => text,
        JsonElement element when element.ValueKind == JsonValueKind.String => element.GetString()!,
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions),
    };

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };
}
