using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChatEngine.Runtime.Tools;

namespace ChatEngine.Server.Protocol;

/// <summary>
/// Reads the tool-calling and template fields of <c>/v1/chat/completions</c>: <c>tools</c>, <c>tool_choice</c>,
/// <c>parallel_tool_calls</c>, <c>reasoning_format</c>, <c>reasoning_effort</c> and <c>chat_template_kwargs</c>.
/// Every mistake is a 400 naming the field.
/// </summary>
internal static partial class ChatToolRequestReader
{
    private static readonly HashSet<string> SchemaTypes = ["object", "array", "string", "number", "integer", "boolean", "null"];

    /// <summary>What the template sees (<c>tools</c> as sent, extra variables) and what the output step will need.</summary>
    public sealed record Result(ChatToolOptions Options, JsonArray? TemplateTools, IReadOnlyDictionary<string, JsonNode?> TemplateVariables);

    public static Result Read(RequestBody body)
    {
        var (templateTools, functions) = ReadTools(body);
        var options = new ChatToolOptions(functions, ReadToolChoice(body, functions),
            body.Bool("parallel_tool_calls") ?? true, ReadReasoningFormat(body));
        return new Result(options, templateTools, ReadTemplateVariables(body));
    }

    /// <summary>OpenAI's rule for function names.</summary>
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    public static partial Regex FunctionName();

    private static (JsonArray? TemplateTools, List<ToolFunction> Functions) ReadTools(RequestBody body)
    {
        var functions = new List<ToolFunction>();
        if (!body.TryGet("tools", out var tools)) return (null, functions);
        if (tools.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType("tools", "an array of tools");
        if (tools.GetArrayLength() == 0) return (null, functions);
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var at = $"tools[{index++}]";
            if (tool.ValueKind != JsonValueKind.Object) throw RequestBody.WrongType(at, "an object");
            var type = tool.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type != "function")
                throw ApiException.InvalidRequest($"'{at}.type' must be 'function' (got '{ErrorText.Excerpt(type ?? t.ToString())}'): only function tools are supported",
                    $"{at}.type", "invalid_value");
            if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                throw RequestBody.WrongType($"{at}.function", "an object");
            var name = ReadFunctionName(function, $"{at}.function.name");
            if (functions.Any(f => f.Name == name))
                throw ApiException.InvalidRequest($"function '{name}' is defined twice in 'tools'", $"{at}.function.name", "invalid_value");
            string? description = null;
            if (function.TryGetProperty("description", out var d) && d.ValueKind != JsonValueKind.Null)
                description = d.ValueKind == JsonValueKind.String ? d.GetString() : throw RequestBody.WrongType($"{at}.function.description", "a string");
            JsonObject? parameters = null;
            if (function.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
            {
                CheckSchema(p, $"{at}.function.parameters");
                parameters = JsonNode.Parse(p.GetRawText())!.AsObject();
            }
            functions.Add(new ToolFunction(name, description, parameters));
        }
        return (JsonNode.Parse(tools.GetRawText())!.AsArray(), functions);
    }

    /// <summary>A function name at <paramref name="param"/>: a string following <see cref="FunctionName"/>.</summary>
    public static string ReadFunctionName(JsonElement function, string param)
    {
        if (!function.TryGetProperty("name", out var n) || n.ValueKind == JsonValueKind.Null)
            throw ApiException.InvalidRequest($"'{param}' is required", param, "missing_required_parameter");
        if (n.ValueKind != JsonValueKind.String) throw RequestBody.WrongType(param, "a string");
        var name = n.GetString()!;
        return FunctionName().IsMatch(name) ? name
            : throw ApiException.InvalidRequest($"'{param}' '{ErrorText.Excerpt(name)}' is not a valid function name (1 to 64 of a-z, A-Z, 0-9, _ and -)",
                param, "invalid_value");
    }

    /// <summary>
    /// The structure every JSON schema of function parameters has: an object whose <c>type</c>, <c>properties</c> and
    /// <c>required</c>, where present, are well-formed. Keywords the constrained decoder cannot enforce (pattern,
    /// minimum ...) are valid schema and stay allowed here; only a constrained call would need to refuse them.
    /// </summary>
    private static void CheckSchema(JsonElement schema, string param)
    {
        if (schema.ValueKind != JsonValueKind.Object) throw RequestBody.WrongType(param, "a JSON schema object");
        if (schema.TryGetProperty("type", out var type))
        {
            var valid = type.ValueKind switch
            {
                JsonValueKind.String => SchemaTypes.Contains(type.GetString()!),
                JsonValueKind.Array => type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String && SchemaTypes.Contains(t.GetString()!)),
                _ => false,
            };
            if (!valid)
                throw ApiException.InvalidRequest($"'{param}.type' must be a JSON schema type ({string.Join(", ", SchemaTypes)}) or an array of them",
                    $"{param}.type", "invalid_value");
        }
        if (schema.TryGetProperty("properties", out var properties)
            && (properties.ValueKind != JsonValueKind.Object
                || properties.EnumerateObject().Any(p => p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))))
            throw RequestBody.WrongType($"{param}.properties", "an object mapping property names to schemas");
        if (schema.TryGetProperty("required", out var required)
            && (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String)))
            throw RequestBody.WrongType($"{param}.required", "an array of property names");
    }

    private static ToolChoice ReadToolChoice(RequestBody body, List<ToolFunction> functions)
    {
        const string param = "tool_choice";
        if (!body.TryGet(param, out var choice)) return functions.Count == 0 ? ToolChoice.None : ToolChoice.Auto;
        ToolChoice result;
        if (choice.ValueKind == JsonValueKind.String)
        {
            result = choice.GetString() switch
            {
                "none" => ToolChoice.None,
                "auto" => ToolChoice.Auto,
                "required" => new ToolChoice(ToolChoiceMode.Required),
                var other => throw ApiException.InvalidRequest(
                    $"'tool_choice' '{ErrorText.Excerpt(other)}' is not one of none, auto, required (or {{\"type\": \"function\", \"function\": {{\"name\": ...}}}})",
                    param, "invalid_value"),
            };
        }
        else if (choice.ValueKind == JsonValueKind.Object)
        {
            if (!choice.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "function")
                throw ApiException.InvalidRequest("'tool_choice.type' must be 'function'", $"{param}.type", "invalid_value");
            if (!choice.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                throw RequestBody.WrongType($"{param}.function", "an object with the function's 'name'");
            var name = ReadFunctionName(function, $"{param}.function.name");
            if (functions.Count > 0 && functions.All(f => f.Name != name))
                throw ApiException.InvalidRequest($"'tool_choice' names function '{name}', which is not in 'tools'", param, "invalid_value");
            result = new ToolChoice(ToolChoiceMode.Function, name);
        }
        else
        {
            throw RequestBody.WrongType(param, "'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}");
        }
        if (functions.Count == 0 && result.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function)
            throw ApiException.InvalidRequest($"'tool_choice' {(result.Mode == ToolChoiceMode.Required ? "'required'" : $"names function '{result.FunctionName}'")} but 'tools' offers none",
                param, "invalid_value");
        return result;
    }

    private static ReasoningFormat ReadReasoningFormat(RequestBody body) => body.String("reasoning_format") switch
    {
        null or "auto" => ReasoningFormat.Auto,
        "none" => ReasoningFormat.None,
        "deepseek" => ReasoningFormat.Deepseek,
        var other => throw ApiException.InvalidRequest($"'reasoning_format' '{ErrorText.Excerpt(other)}' is not one of none, auto, deepseek",
            "reasoning_format", "invalid_value"),
    };

    /// <summary><c>reasoning_effort</c> as the template variable of that name, then <c>chat_template_kwargs</c> (which win).</summary>
    private static Dictionary<string, JsonNode?> ReadTemplateVariables(RequestBody body)
    {
        var variables = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (body.String("reasoning_effort") is { } effort) variables["reasoning_effort"] = effort;
        if (!body.TryGet("chat_template_kwargs", out var kwargs)) return variables;
        if (kwargs.ValueKind != JsonValueKind.Object) throw RequestBody.WrongType("chat_template_kwargs", "an object of template variables");
        foreach (var variable in kwargs.EnumerateObject()) variables[variable.Name] = JsonNode.Parse(variable.Value.GetRawText());
        return variables;
    }
}
