using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Constraints;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Runtime.Tools;
using ChatEngine.Templates;

namespace ChatEngine.Server.Protocol;

/// <summary>
/// Turns the JSON of <c>/v1/chat/completions</c> and <c>/v1/completions</c> into a <see cref="GenerationRequest"/>.
/// Unset sampling fields keep llama.cpp's defaults (<see cref="SamplingOptions.Default"/>), as llama-server does.
/// Fields this server cannot honour (legacy functions, audio, suffix, best_of &gt; 1 ...) are rejected with 400 naming the field
/// rather than silently ignored; purely informational ones (user, metadata, store ...) are ignored. docs/api.md
/// lists every field.
/// </summary>
internal static class GenerationRequestReader
{
    /// <summary>Most choices one request may ask for.</summary>
    public const int MaxChoices = 16;

    /// <summary>Most alternatives per token in chat's top_logprobs (OpenAI's limit).</summary>
    public const int MaxTopLogProbabilities = 20;

    /// <summary>Most alternatives per token in the legacy completions' logprobs (OpenAI's limit).</summary>
    public const int MaxLegacyLogProbabilities = 5;

    private static readonly string[] ChatUnsupported = ["functions", "audio", "prediction"];
    private static readonly string[] CompletionUnsupported = ["suffix"];

    public static GenerationRequest ReadChat(RequestBody body, ModelHost host)
    {
        CheckCommon(body, host);
        RejectPresent(body, ChatUnsupported);
        var topLogProbabilities = body.Integer("top_logprobs");
        if (topLogProbabilities is < 0 or > MaxTopLogProbabilities)
            throw ApiException.InvalidRequest($"'top_logprobs' must be between 0 and {MaxTopLogProbabilities}", "top_logprobs", "invalid_value");
        var logProbabilities = body.Bool("logprobs") ?? false;
        if (topLogProbabilities is not null && !logProbabilities)
            throw ApiException.InvalidRequest("'logprobs' must be true when 'top_logprobs' is set", "top_logprobs", "invalid_value");

        var (messages, tools) = ReadConversation(body, host);
        var prompt = Rendering(() => host.EncodeChat(messages, tools.TemplateTools, tools.TemplateVariables));
        var keep = host.ContextShift ? SystemPromptTokens(host, messages, prompt, tools) : 0;
        var request = Finish(body, host, prompt, "messages", logProbabilities ? (int)(topLogProbabilities ?? 0) : null, echo: null, keep) with { Tools = tools.Options };

        // The parser (and a forced call) follow the family of the template actually used; the rendered prompt says
        // whether the output starts inside reasoning. Without tools to call only the reasoning is split off, where the
        // template is a reasoning model's (as llama-server's default reasoning_format).
        var source = host.Renderer.Template.Source;
        var callsTools = tools.Options.Functions.Count > 0 && tools.Options.Choice.Mode != ToolChoiceMode.None;
        var reasoningOnly = callsTools || tools.Options.ReasoningFormat == ReasoningFormat.None ? null : ChatOutputFormat.ReasoningOnly(source);
        if (!callsTools && reasoningOnly is null) return request;
        var format = reasoningOnly ?? ChatOutputFormat.FromTemplate(source);
        var startsInReasoning = format.PromptOpensReasoning(host.Model.Tokenizer.Decode(prompt, removeSpecial: false));
        var offered = body.TryGet("tools", out var sent) ? sent.Clone() : (JsonElement?)null;
        var parser = new ChatOutputParser(format, new ChatOutputOptions
        {
            ReasoningFormat = tools.Options.ReasoningFormat switch
            {
                ReasoningFormat.None => ChatOutput.ReasoningFormat.None,
                ReasoningFormat.Deepseek => ChatOutput.ReasoningFormat.DeepSeek,
                _ => ChatOutput.ReasoningFormat.Auto,
            },
            ReasoningStartsOpen = startsInReasoning,
            Tools = offered,
        });
        request = request with { OutputParser = parser };
        if (!callsTools) return request;
        if (CallGrammar(body, tools.Options, format, startsInReasoning) is not { } calls) return request;
        TokenTrie.For(host.Model.Tokenizer);
        return request with { Options = request.Options with { OutputGrammar = calls } };
    }

    /// <summary>
    /// The prompt tokens of the leading system messages (what a context shift keeps): the prefix the prompt shares with
    /// those messages rendered alone; the BOS token when there are none or the template cannot render them alone.
    /// </summary>
    private static int SystemPromptTokens(ModelHost host, JsonArray messages, int[] prompt, ChatToolRequestReader.Result tools)
    {
        var system = new JsonArray([.. messages.TakeWhile(m => (string?)m!["role"] == "system").Select(m => m!.DeepClone())]);
        if (system.Count == 0) return BosTokens(host, prompt);
        int[] rendered;
        try
        {
            rendered = host.Renderer.RenderTokens(system, addGenerationPrompt: false, tools.TemplateTools, tools.TemplateVariables);
        }
        catch (TemplateRenderException)
        {
            return BosTokens(host, prompt);
        }
        var shared = 0;
        while (shared < rendered.Length && shared < prompt.Length && rendered[shared] == prompt[shared]) shared++;
        return Math.Max(shared, BosTokens(host, prompt));
    }

    private static int BosTokens(ModelHost host, int[] prompt) =>
        prompt.Length > 0 && host.Model.Tokenizer.BosTokenId >= 0 && prompt[0] == host.Model.Tokenizer.BosTokenId ? 1 : 0;

    /// <summary>The constraint the tools put on the answer (<see cref="ToolCallGrammar"/>); a forced call and a
    /// <c>response_format</c> cannot both be the answer (with <c>auto</c>, the response format wins).</summary>
    private static JsonGrammar? CallGrammar(RequestBody body, ChatToolOptions tools, ChatOutputFormat format, bool startsInReasoning)
    {
        var hasResponseFormat = body.TryGet("response_format", out var responseFormat)
            && !(responseFormat.ValueKind == JsonValueKind.Object && responseFormat.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() == "text");
        var forced = tools.Choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function;
        if (hasResponseFormat && forced)
            throw ApiException.InvalidRequest("'response_format' cannot be combined with a 'tool_choice' that forces a call: the answer is the call", "response_format", "invalid_value");
        if (hasResponseFormat) return null;
        try
        {
            return ToolCallGrammar.For(format, tools.Functions, tools.Choice, startsInReasoning);
        }
        catch (ToolCallException e)
        {
            throw ApiException.InvalidRequest(e.Message, e.Field, "invalid_value");
        }
    }

    /// <summary>llama-server's <c>/apply-template</c>: the prompt text a chat request's messages, tools and template
    /// variables render to, validated exactly as <see cref="ReadChat"/> validates them.</summary>
    public static string RenderChatPrompt(RequestBody body, ModelHost host)
    {
        CheckCommon(body, host);
        var (messages, tools) = ReadConversation(body, host);
        return Rendering(() => host.Renderer.Render(messages, addGenerationPrompt: true, tools.TemplateTools, tools.TemplateVariables));
    }

    private static (JsonArray Messages, ChatToolRequestReader.Result Tools) ReadConversation(RequestBody body, ModelHost host)
    {
        var messages = ReadMessages(body);
        var tools = ChatToolRequestReader.Read(body);
        host.CheckTextFits(PromptTextBytes(messages, tools.TemplateTools), "messages");
        if (tools.TemplateTools is { } offered && IgnoresTools(host, messages, offered, tools.TemplateVariables))
            throw ApiException.InvalidRequest("the model's chat template does not support tools (it renders the same prompt without them)", "tools", "invalid_value");
        return (messages, tools);
    }

    /// <summary>Whether the template renders the conversation identically with and without the tools (it never shows them to the model).</summary>
    private static bool IgnoresTools(ModelHost host, JsonArray messages, JsonArray tools, IReadOnlyDictionary<string, JsonNode?> variables) =>
        Rendering(() => host.Renderer.Render(messages, addGenerationPrompt: true, tools, variables)
            == host.Renderer.Render(messages, addGenerationPrompt: true, null, variables));

    private static T Rendering<T>(Func<T> render)
    {
        try
        {
            return render();
        }
        catch (TemplateRenderException e)
        {
            throw ApiException.InvalidRequest($"the model's chat template rejected the messages: {e.Message}", "messages");
        }
    }

    /// <summary>The text the template will write out at least: message contents, call arguments, tool definitions.</summary>
    private static long PromptTextBytes(JsonArray messages, JsonArray? tools)
    {
        var bytes = tools is null ? 0L : Encoding.UTF8.GetByteCount(tools.ToJsonString());
        foreach (var message in messages)
        {
            bytes += Encoding.UTF8.GetByteCount((string)message!["content"]!);
            if (message["tool_calls"] is JsonArray calls)
                bytes += calls.Sum(call => (long)Encoding.UTF8.GetByteCount((string)call!["function"]!["arguments"]!));
        }
        return bytes;
    }

    public static GenerationRequest ReadCompletion(RequestBody body, ModelHost host)
    {
        CheckCommon(body, host);
        RejectPresent(body, CompletionUnsupported);
        if (body.Integer("best_of") is > 1) throw Unsupported("best_of", "best_of > 1 is not supported");
        var logProbabilities = body.Integer("logprobs");
        if (logProbabilities is < 0 or > MaxLegacyLogProbabilities)
            throw ApiException.InvalidRequest($"'logprobs' must be between 0 and {MaxLegacyLogProbabilities}", "logprobs", "invalid_value");
        var echo = body.Bool("echo") ?? false;
        var (prompt, text) = ReadPrompt(body, host);
        return Finish(body, host, prompt, "prompt", (int?)logProbabilities, echo ? text : null, BosTokens(host, prompt));
    }

    private static void CheckCommon(RequestBody body, ModelHost host) => CheckModel(body, host);

    /// <summary>404 <c>model_not_found</c> unless the body's <c>model</c> is absent or names the served model.</summary>
    public static void CheckModel(RequestBody body, ModelHost host)
    {
        var model = body.String("model");
        if (!host.Serves(model))
            throw new ApiException(StatusCodes.Status404NotFound, $"The model '{ErrorText.Excerpt(model)}' does not exist; this server serves '{host.Id}'",
                "invalid_request_error", "model", "model_not_found");
    }

    /// <param name="keep">Prompt tokens a context shift must not drop (the system prompt), when the server shifts.</param>
    private static GenerationRequest Finish(RequestBody body, ModelHost host, int[] prompt, string promptParam, int? logProbabilities, string? echo, int keep)
    {
        var choices = body.Integer("n") ?? 1;
        if (choices is < 1 or > MaxChoices) throw ApiException.InvalidRequest($"'n' must be between 1 and {MaxChoices}", "n", "invalid_value");
        if (prompt.Length == 0) throw ApiException.InvalidRequest("the prompt has no tokens", promptParam);
        var contextSize = host.Scheduler.ContextSize;
        var room = contextSize - prompt.Length;
        var (maxTokens, maxParam) = ReadMaxTokens(body);
        if (maxTokens is <= 0) throw ApiException.InvalidRequest($"'{maxParam}' must be at least 1", maxParam, "invalid_value");
        var limit = maxTokens ?? room;
        if (room <= 0 || (limit > room && !host.ContextShift))
        {
            throw ApiException.InvalidRequest(
                $"This model's maximum context length is {contextSize} tokens. However, you requested {prompt.Length + Math.Max(limit, 1)} tokens " +
                $"({prompt.Length} in the {promptParam}, {Math.Max(limit, 1)} for the completion).", promptParam, "context_length_exceeded");
        }

        var streamOptions = body.TryGet("stream_options", out var so) ? so : default;
        var includeUsage = false;
        if (streamOptions.ValueKind != JsonValueKind.Undefined)
        {
            if (streamOptions.ValueKind != JsonValueKind.Object) throw RequestBody.WrongType("stream_options", "an object");
            if (streamOptions.TryGetProperty("include_usage", out var iu) && iu.ValueKind != JsonValueKind.Null)
                includeUsage = iu.ValueKind is JsonValueKind.True or JsonValueKind.False ? iu.GetBoolean() : throw RequestBody.WrongType("stream_options.include_usage", "a boolean");
        }

        var options = new GenerationOptions
        {
            MaxTokens = (int)limit,
            Sampling = ReadSampling(body, host.Model.Tokenizer.VocabSize),
            StopSequences = ReadStop(body),
            LogProbabilities = logProbabilities,
            OutputGrammar = ReadResponseFormat(body),
            IgnoreEndOfGeneration = body.Bool("ignore_eos") ?? false,
            Adapters = host.Adapters.ForRequest(body),
            ContextShiftKeep = host.ContextShift ? keep : null,
        };
        // The vocabulary trie is built once, on first use: here on the request thread rather than in a scheduler step.
        if (options.OutputGrammar is not null) TokenTrie.For(host.Model.Tokenizer);
        return new GenerationRequest(prompt, options, body.Bool("stream") ?? false, includeUsage, host.Id, (int)choices, echo);
    }

    /// <summary><c>response_format</c>: text (no constraint), json_object, or json_schema compiled to a grammar; a
    /// schema using what the grammar cannot enforce is a 400 naming the schema path.</summary>
    private static JsonGrammar? ReadResponseFormat(RequestBody body)
    {
        const string param = "response_format";
        if (!body.TryGet(param, out var format)) return null;
        var type = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString() : throw RequestBody.WrongType(param, "an object with a string 'type'");
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                return JsonGrammar.AnyObject;
            case "json_schema":
                if (!format.TryGetProperty("json_schema", out var definition) || definition.ValueKind != JsonValueKind.Object)
                    throw ApiException.InvalidRequest("'response_format.json_schema' is required for type 'json_schema'", param, "missing_required_parameter");
                if (definition.TryGetProperty("strict", out var strict) && strict.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                    throw RequestBody.WrongType("response_format.json_schema.strict", "a boolean");
                if (!definition.TryGetProperty("schema", out var schema) || schema.ValueKind == JsonValueKind.Null) return JsonGrammar.AnyObject;
                try
                {
                    return JsonGrammar.FromSchema(schema);
                }
                catch (JsonSchemaException e)
                {
                    throw ApiException.InvalidRequest($"response_format.json_schema.schema is not supported: {e.Message}", param, "invalid_value");
                }
            default:
                throw ApiException.InvalidRequest($"response_format type '{ErrorText.Excerpt(type)}' is not supported (text, json_object, json_schema)", param, "invalid_value");
        }
    }

    private static (long? Value, string Param) ReadMaxTokens(RequestBody body)
    {
        if (body.Integer("max_completion_tokens") is { } completion) return (completion, "max_completion_tokens");
        return (body.Integer("max_tokens"), "max_tokens");
    }

    private static SamplingOptions ReadSampling(RequestBody body, int vocabSize)
    {
        var sampling = SamplingOptions.Default;
        try
        {
            if (body.Number("temperature") is { } temperature) sampling = sampling with { Temperature = temperature };
            if (body.Number("top_p") is { } topP) sampling = sampling with { TopP = topP };
            if (body.Integer("top_k") is { } topK) sampling = sampling with { TopK = (int)Math.Clamp(topK, int.MinValue, int.MaxValue) };
            if (body.Number("min_p") is { } minP) sampling = sampling with { MinP = minP };
            if (body.Number("repeat_penalty") is { } repeat) sampling = sampling with { RepeatPenalty = repeat };
            if (body.Number("presence_penalty") is { } presence) sampling = sampling with { PresencePenalty = presence };
            if (body.Number("frequency_penalty") is { } frequency) sampling = sampling with { FrequencyPenalty = frequency };
            if (body.Integer("seed") is { } seed) sampling = sampling with { Seed = unchecked((ulong)seed) };
            if (body.TryGet("logit_bias", out var bias)) sampling = sampling with { LogitBias = ReadLogitBias(bias, vocabSize) };
        }
        catch (ArgumentOutOfRangeException e)
        {
            var param = JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ParamName ?? "sampling");
            var reason = e.Message.Split(" (Parameter", 2)[0];
            throw ApiException.InvalidRequest($"invalid '{param}': {reason}", param, "invalid_value");
        }
        return sampling;
    }

    private static Dictionary<int, float> ReadLogitBias(JsonElement bias, int vocabSize)
    {
        if (bias.ValueKind != JsonValueKind.Object) throw RequestBody.WrongType("logit_bias", "an object mapping token ids to numbers");
        var result = new Dictionary<int, float>();
        foreach (var entry in bias.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, System.Globalization.NumberStyles.None, null, out var token))
                throw ApiException.InvalidRequest($"logit_bias key '{ErrorText.Excerpt(entry.Name)}' is not a token id", "logit_bias", "invalid_value");
            if (token >= vocabSize)
                throw ApiException.InvalidRequest($"logit_bias key {token} is outside the vocabulary [0, {vocabSize})", "logit_bias", "invalid_value");
            if (entry.Value.ValueKind != JsonValueKind.Number) throw RequestBody.WrongType("logit_bias", "an object mapping token ids to numbers");
            result[token] = (float)entry.Value.GetDouble();
        }
        return result;
    }

    private static string[] ReadStop(RequestBody body)
    {
        if (!body.TryGet("stop", out var stop)) return [];
        if (stop.ValueKind == JsonValueKind.String) return [stop.GetString()!];
        if (stop.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType("stop", "a string or an array of strings");
        var result = new List<string>();
        foreach (var item in stop.EnumerateArray())
            result.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw RequestBody.WrongType("stop", "a string or an array of strings"));
        return [.. result];
    }

    /// <summary>
    /// The messages as the template sees them: <c>role</c> and <c>content</c> (a string; "" for an assistant turn
    /// without text), an assistant's <c>tool_calls</c> (<c>id</c>, <c>type</c>, <c>function.name</c>,
    /// <c>function.arguments</c> still the JSON string OpenAI sends: <see cref="ChatPromptRenderer"/> decides how the
    /// template gets it) and <c>reasoning_content</c>, a tool result's <c>tool_call_id</c> (and <c>name</c> when sent).
    /// </summary>
    private static JsonArray ReadMessages(RequestBody body)
    {
        if (!body.TryGet("messages", out var messages)) throw ApiException.InvalidRequest("'messages' is required", "messages", "missing_required_parameter");
        if (messages.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType("messages", "an array");
        if (messages.GetArrayLength() == 0) throw ApiException.InvalidRequest("'messages' must contain at least one message", "messages", "empty_array");
        var result = new JsonArray();
        var callIds = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var at = $"messages[{index++}]";
            if (message.ValueKind != JsonValueKind.Object) throw RequestBody.WrongType(at, "an object");
            if (!message.TryGetProperty("role", out var roleElement) || roleElement.ValueKind != JsonValueKind.String)
                throw RequestBody.WrongType($"{at}.role", "a string");
            var role = roleElement.GetString() == "tool" ? "tool" : ChatRoles.ToTemplateRole(roleElement.GetString())
                ?? throw ApiException.InvalidRequest($"role '{ErrorText.Excerpt(roleElement.GetString())}' is not supported ({ChatRoles.Accepted}, tool)", $"{at}.role", "invalid_value");
            var read = new JsonObject { ["role"] = role, ["content"] = ReadContent(message, at, role) };
            if (role == "tool") ReadToolResult(message, at, read, callIds);
            if (role == "assistant")
            {
                if (OptionalString(message, "reasoning_content", at) is { } reasoning) read["reasoning_content"] = reasoning;
                if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind != JsonValueKind.Null)
                    read["tool_calls"] = ReadToolCalls(calls, $"{at}.tool_calls", callIds);
            }
            else if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind != JsonValueKind.Null)
            {
                throw ApiException.InvalidRequest($"only assistant messages carry 'tool_calls' ({at} is '{role}')", $"{at}.tool_calls", "invalid_value");
            }
            result.Add(read);
        }
        return result;
    }

    private static string? OptionalString(JsonElement message, string name, string at)
    {
        if (!message.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw RequestBody.WrongType($"{at}.{name}", "a string");
    }

    /// <summary>A tool message answers a call made earlier in the conversation: its <c>tool_call_id</c> must be one.</summary>
    private static void ReadToolResult(JsonElement message, string at, JsonObject read, HashSet<string> callIds)
    {
        var id = OptionalString(message, "tool_call_id", at)
            ?? throw ApiException.InvalidRequest($"'{at}.tool_call_id' is required for a tool message", $"{at}.tool_call_id", "missing_required_parameter");
        if (!callIds.Contains(id))
            throw ApiException.InvalidRequest($"'{at}.tool_call_id' '{ErrorText.Excerpt(id)}' matches no tool call of an earlier assistant message",
                $"{at}.tool_call_id", "invalid_value");
        read["tool_call_id"] = id;
        if (OptionalString(message, "name", at) is { } name) read["name"] = name;
    }

    private static JsonArray ReadToolCalls(JsonElement calls, string at, HashSet<string> callIds)
    {
        if (calls.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType(at, "an array of tool calls");
        var result = new JsonArray();
        var index = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var callAt = $"{at}[{index++}]";
            if (call.ValueKind != JsonValueKind.Object) throw RequestBody.WrongType(callAt, "an object");
            var id = OptionalString(call, "id", callAt)
                ?? throw ApiException.InvalidRequest($"'{callAt}.id' is required", $"{callAt}.id", "missing_required_parameter");
            if (OptionalString(call, "type", callAt) is { } type && type != "function")
                throw ApiException.InvalidRequest($"'{callAt}.type' must be 'function'", $"{callAt}.type", "invalid_value");
            if (!call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                throw RequestBody.WrongType($"{callAt}.function", "an object");
            var name = ChatToolRequestReader.ReadFunctionName(function, $"{callAt}.function.name");
            var argumentsAt = $"{callAt}.function.arguments";
            var arguments = OptionalString(function, "arguments", $"{callAt}.function")
                ?? throw ApiException.InvalidRequest($"'{argumentsAt}' is required", argumentsAt, "missing_required_parameter");
            try
            {
                using var _ = JsonDocument.Parse(arguments);
            }
            catch (JsonException e)
            {
                throw ApiException.InvalidRequest($"'{argumentsAt}' is not valid JSON: {e.Message}", argumentsAt, "invalid_value");
            }
            callIds.Add(id);
            result.Add(new JsonObject
            {
                ["id"] = id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
            });
        }
        return result;
    }

    private static string ReadContent(JsonElement message, string at, string role)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return role == "assistant" ? "" : throw ApiException.InvalidRequest($"'{at}.content' is required", $"{at}.content", "missing_required_parameter");
        }
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType($"{at}.content", "a string or an array of content parts");
        var text = new StringBuilder();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partAt = $"{at}.content[{index++}]";
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw RequestBody.WrongType(partAt, "an object with a string 'type'");
            if (type.GetString() != "text")
                throw Unsupported($"{partAt}.type", $"content part type '{ErrorText.Excerpt(type.GetString())}' is not supported (only 'text')");
            if (!part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
                throw RequestBody.WrongType($"{partAt}.text", "a string");
            if (text.Length > 0) text.Append('\n');
            text.Append(partText.GetString());
        }
        return text.ToString();
    }

    /// <summary>The prompt's tokens and its text (as sent, or the decoded tokens).</summary>
    private static (int[] Tokens, string Text) ReadPrompt(RequestBody body, ModelHost host)
    {
        if (!body.TryGet("prompt", out var prompt)) throw ApiException.InvalidRequest("'prompt' is required", "prompt", "missing_required_parameter");
        var tokenizer = host.Model.Tokenizer;
        if (prompt.ValueKind == JsonValueKind.String) return FromText(prompt.GetString()!);
        if (prompt.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType("prompt", "a string or an array of token ids");
        var length = prompt.GetArrayLength();
        if (length == 1 && prompt[0].ValueKind == JsonValueKind.String) return FromText(prompt[0].GetString()!);
        if (length > 0 && prompt[0].ValueKind is JsonValueKind.String or JsonValueKind.Array)
            throw Unsupported("prompt", "several prompts in one request are not supported; send one request per prompt");
        var ids = TokenArray.Read(prompt, "prompt", tokenizer.VocabSize);
        return (ids, tokenizer.Decode(ids));

        (int[], string) FromText(string text)
        {
            host.CheckTextFits(Encoding.UTF8.GetByteCount(text), "prompt");
            return (tokenizer.Encode(text, addSpecial: true, parseSpecial: false), text);
        }
    }

    private static void RejectPresent(RequestBody body, string[] names)
    {
        foreach (var name in names)
        {
            if (body.TryGet(name, out var value) && !(value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0))
                throw Unsupported(name);
        }
    }

    private static ApiException Unsupported(string param, string? message = null) =>
        ApiException.InvalidRequest(message ?? $"'{param}' is not supported by this server yet", param, "unsupported_parameter");
}
