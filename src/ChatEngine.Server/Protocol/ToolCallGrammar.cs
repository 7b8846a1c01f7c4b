using System.Text.Json;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Constraints;

namespace ChatEngine.Server.Protocol;

/// <summary>
/// The constraint a chat request's tools put on the answer. <c>tool_choice: required</c> or a named function: the
/// output is one call, in the template family's own syntax, of an allowed function with arguments valid against its
/// <c>parameters</c> schema, after the family's reasoning block when the model opens one (reasoning stays free).
/// <c>auto</c>: the text is free, but once the family's call marker appears the call must be completed that way
/// (a lazy grammar), so a call the model starts is always valid.
/// </summary>
internal static class ToolCallGrammar
{
    /// <summary>The grammar, or null for none; 400 naming the field when a call must be forced but cannot be
    /// (a schema keyword the grammar cannot enforce, a family without a JSON call syntax, response_format as well).</summary>
    public static JsonGrammar? For(RequestBody body, ChatToolOptions tools, ChatOutputFormat format, bool startsInReasoning)
    {
        var hasResponseFormat = body.TryGet("response_format", out var responseFormat) && !IsText(responseFormat);
        switch (tools.Choice.Mode)
        {
            case ToolChoiceMode.Auto when !hasResponseFormat && format.CallTrigger is { } trigger:
                return JsonGrammar.LazyCall([.. tools.Functions.Select(f => Shape(format, f, EnforceableSchema(f)))], trigger);
            case ToolChoiceMode.Required or ToolChoiceMode.Function:
                if (hasResponseFormat)
                    throw ApiException.InvalidRequest("'response_format' cannot be combined with a 'tool_choice' that forces a call: the answer is the call", "response_format", "invalid_value");
                var shapes = new List<CallShape>();
                for (var i = 0; i < tools.Functions.Count; i++)
                {
                    var function = tools.Functions[i];
                    if (tools.Choice.Mode == ToolChoiceMode.Function && function.Name != tools.Choice.FunctionName) continue;
                    if (format.ForcedCall(function.Name) is null)
                        throw ApiException.InvalidRequest(
                            $"'tool_choice' forces a call, which this server cannot yet constrain for the {format.Family} template family " +
                            "(its calls are not one JSON object of arguments); use 'auto'", "tool_choice", "invalid_value");
                    shapes.Add(Shape(format, function, CheckedSchema(function, i)));
                }
                var reasoning = format.Reasoning is { } markers ? new ReasoningBlock(markers.Start, markers.End, startsInReasoning) : null;
                return JsonGrammar.ForCall(shapes, reasoning);
            default:
                return null;
        }
    }

    private static CallShape Shape(ChatOutputFormat format, ToolFunction function, JsonElement? schema)
    {
        var syntax = format.ForcedCall(function.Name)!;
        return new CallShape(syntax.Prefix, schema, syntax.Suffix);
    }

    /// <summary>The function's parameters schema, or the reason the grammar cannot enforce it.</summary>
    private static (JsonElement? Schema, JsonSchemaException? Unenforceable) Arguments(ToolFunction function)
    {
        if (function.Parameters is not { } parameters) return (null, null);
        var schema = JsonSerializer.SerializeToElement(parameters);
        try
        {
            JsonGrammar.FromSchema(schema);
            return (schema, null);
        }
        catch (JsonSchemaException e)
        {
            return (schema, e);
        }
    }

    /// <summary>A forced call's schema; a 400 naming it when the grammar cannot enforce it.</summary>
    private static JsonElement? CheckedSchema(ToolFunction function, int index) => Arguments(function) switch
    {
        (_, { } e) => throw ApiException.InvalidRequest($"'tool_choice' forces a call, but the arguments schema cannot be enforced: {e.Message}",
            $"tools[{index}].function.parameters", "invalid_value"),
        var (schema, _) => schema,
    };

    /// <summary>With <c>auto</c> a function whose schema cannot be enforced may still be called; its arguments are
    /// then only well-formed JSON (null: any object).</summary>
    private static JsonElement? EnforceableSchema(ToolFunction function) => Arguments(function) is (var schema, null) ? schema : null;

    private static bool IsText(JsonElement responseFormat) =>
        responseFormat.ValueKind == JsonValueKind.Object && responseFormat.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && type.GetString() == "text";
}
