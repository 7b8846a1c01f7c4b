using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatEngine.Server.OpenApi;

// The request bodies as the OpenAPI document describes them. The endpoints read the JSON themselves (Protocol/); these
// types only give the document its schemas, so a field the readers accept must be listed here too. Fields not listed
// are ignored by the server, except those it rejects by name (functions, audio, prediction, suffix, best_of > 1).

/// <summary>Sampling and length settings shared by chat and text completions.</summary>
internal abstract record GenerationParameters
{
    [JsonPropertyName("model"), Description("Must name the served model when given (GET /v1/models).")]
    public string? Model { get; init; }

    [JsonPropertyName("stream"), Description("Answer as server-sent events, one chunk per token.")]
    public bool? Stream { get; init; }

    [JsonPropertyName("stream_options")]
    public StreamOptions? StreamOptions { get; init; }

    [JsonPropertyName("max_tokens"), Description("Most tokens to generate (default: what fits the context).")]
    public int? MaxTokens { get; init; }

    [JsonPropertyName("n"), Description("Independent choices to generate.")]
    public int? N { get; init; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; init; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; init; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; init; }

    [JsonPropertyName("min_p")]
    public double? MinP { get; init; }

    [JsonPropertyName("repeat_penalty")]
    public double? RepeatPenalty { get; init; }

    [JsonPropertyName("presence_penalty")]
    public double? PresencePenalty { get; init; }

    [JsonPropertyName("frequency_penalty")]
    public double? FrequencyPenalty { get; init; }

    [JsonPropertyName("seed")]
    public long? Seed { get; init; }

    [JsonPropertyName("logit_bias"), Description("Token id to a bias added to its logit.")]
    public Dictionary<string, double>? LogitBias { get; init; }

    [JsonPropertyName("stop"), Description("A string or an array of strings that end the generation.")]
    public JsonElement? Stop { get; init; }

    [JsonPropertyName("ignore_eos"), Description("Keep generating past the end-of-generation token.")]
    public bool? IgnoreEos { get; init; }

    [JsonPropertyName("response_format")]
    public ResponseFormat? ResponseFormat { get; init; }
}

/// <summary><c>POST /v1/chat/completions</c>.</summary>
internal sealed record ChatCompletionRequest : GenerationParameters
{
    [JsonPropertyName("messages"), Description("The conversation: role (system, user, assistant, tool) and content.")]
    public required IReadOnlyList<JsonElement> Messages { get; init; }

    [JsonPropertyName("max_completion_tokens"), Description("Takes precedence over max_tokens.")]
    public int? MaxCompletionTokens { get; init; }

    [JsonPropertyName("logprobs")]
    public bool? Logprobs { get; init; }

    [JsonPropertyName("top_logprobs")]
    public int? TopLogprobs { get; init; }

    [JsonPropertyName("tools"), Description("Functions the model may call.")]
    public IReadOnlyList<JsonElement>? Tools { get; init; }

    [JsonPropertyName("tool_choice")]
    public JsonElement? ToolChoice { get; init; }

    [JsonPropertyName("parallel_tool_calls")]
    public bool? ParallelToolCalls { get; init; }

    [JsonPropertyName("reasoning_format"), Description("How reasoning text is returned.")]
    public string? ReasoningFormat { get; init; }

    [JsonPropertyName("reasoning_effort"), Description("Passed to the chat template.")]
    public string? ReasoningEffort { get; init; }

    [JsonPropertyName("chat_template_kwargs"), Description("Extra variables for the chat template.")]
    public Dictionary<string, JsonElement>? ChatTemplateKwargs { get; init; }
}

/// <summary><c>POST /v1/completions</c>.</summary>
internal sealed record CompletionRequest : GenerationParameters
{
    [JsonPropertyName("prompt"), Description("A string, an array of token ids, or a one-element array of either.")]
    public required JsonElement Prompt { get; init; }

    [JsonPropertyName("echo"), Description("Start the text with the prompt.")]
    public bool? Echo { get; init; }

    [JsonPropertyName("logprobs"), Description("Top log-probabilities to return per token.")]
    public int? Logprobs { get; init; }

    [JsonPropertyName("best_of"), Description("Only 1 is supported.")]
    public int? BestOf { get; init; }
}

/// <summary><c>POST /v1/embeddings</c>.</summary>
internal sealed record EmbeddingRequest
{
    [JsonPropertyName("input"), Description("A string, an array of strings, an array of token ids, or an array of such arrays.")]
    public required JsonElement Input { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("encoding_format"), Description("float (default) or base64.")]
    public string? EncodingFormat { get; init; }

    [JsonPropertyName("dimensions"), Description("Must equal the model's embedding size when given.")]
    public int? Dimensions { get; init; }
}

internal sealed record StreamOptions
{
    [JsonPropertyName("include_usage"), Description("End the stream with a chunk carrying the token usage.")]
    public bool? IncludeUsage { get; init; }
}

internal sealed record ResponseFormat
{
    [JsonPropertyName("type"), Description("text, json_object or json_schema.")]
    public required string Type { get; init; }

    [JsonPropertyName("json_schema"), Description("For json_schema: name, schema and strict.")]
    public JsonElement? JsonSchema { get; init; }
}
