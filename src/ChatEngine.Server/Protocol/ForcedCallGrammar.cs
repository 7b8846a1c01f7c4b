using System.Text.Json;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Constraints;

namespace ChatEngine.Server.Protocol;

/// <summary>
/// <c>tool_choice: required</c> or a named function as a constraint: the output is one call, in the template family's
/// own syntax, of an allowed function with arguments valid against its <c>parameters</c> schema, after the family's
/// reasoning block when the model opens one (so reasoning stays free and the constraint applies to what follows).
/// </summary>
internal static class ForcedCallGrammar
{
    /// <summary>The grammar, or null when the request lets the model answer in text; 400 naming the field when the
    /// call cannot be forced (a schema keyword the grammar cannot enforce, a family without a JSON call syntax).</summary>
    public static JsonGrammar? For(RequestBody body, ChatToolOptions tools, ChatOutputFormat format, bool startsInReasoning)
    {
        if (tools.Choice.Mode is not (ToolChoiceMode.Required or ToolChoiceMode.Function)) return null;
        if (body.TryGet("response_format", out var responseFormat) && !IsText(responseFormat))
            throw ApiException.InvalidRequest("'response_format' cannot be combined with a 'tool_choice' that forces a call: the answer is the call", "response_format", "invalid_value");
        var shapes = new List<CallShape>();
        for (var i = 0; i < tools.Functions.Count; i++)
        {
            var function = tools.Functions[i];
            if (tools.Choice.Mode == ToolChoiceMode.Function && function.Name != tools.Choice.FunctionName) continue;
            var syntax = format.ForcedCall(function.Name)
                ?? throw ApiException.InvalidRequest(
                    $"'tool_choice' forces a call, which this server cannot yet constrain for the {format.Family} template family " +
                    "(its calls are not one JSON object of arguments); use 'auto'", "tool_choice", "invalid_value");
            var schema = function.Parameters is { } parameters ? JsonSerializer.SerializeToElement(parameters) : (JsonElement?)null;
            if (schema is { } checkedSchema)
            {
                try
                {
                    JsonGrammar.FromSchema(checkedSchema);
                }
                catch (JsonSchemaException e)
                {
                    throw ApiException.InvalidRequest($"'tool_choice' forces a call, but the arguments schema cannot be enforced: {e.Message}",
                        $"tools[{i}].function.parameters", "invalid_value");
                }
            }
            shapes.Add(new CallShape(syntax.Prefix, schema, syntax.Suffix));
        }
        var reasoning = format.Reasoning is { } markers ? new ReasoningBlock(markers.Start, markers.End, startsInReasoning) : null;
        return JsonGrammar.ForCall(shapes, reasoning);
    }

    private static bool IsText(JsonElement responseFormat) =>
        responseFormat.ValueKind == JsonValueKind.Object && responseFormat.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && type.GetString() == "text";
}
