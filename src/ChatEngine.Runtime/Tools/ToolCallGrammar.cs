using System.Text.Json;
using ChatEngine.ChatOutput;
using ChatEngine.Runtime.Constraints;

namespace ChatEngine.Runtime.Tools;

/// <summary>
/// The constraint offered tools put on the answer, the same for every entry point. <see cref="ToolChoiceMode.Required"/>
/// or a named function: the output is one call, in the template family's own syntax, of an allowed function with
/// arguments valid against its <c>parameters</c> schema, after the family's reasoning block when the model opens one
/// (reasoning stays free). <see cref="ToolChoiceMode.Auto"/>: the text is free, but once the family's call marker
/// appears the call must be completed that way (a lazy grammar), so a call the model starts is always valid.
/// </summary>
public static class ToolCallGrammar
{
    /// <summary>The grammar, or null for none; <see cref="ToolCallException"/> when a call must be forced but cannot be
    /// (a schema keyword the grammar cannot enforce, a family without a JSON call syntax).</summary>
    public static JsonGrammar? For(ChatOutputFormat format, IReadOnlyList<ToolFunction> functions, ToolChoice choice, bool startsInReasoning)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(choice);
        if (functions.Count == 0) return null;
        switch (choice.Mode)
        {
            case ToolChoiceMode.Auto when format.CallTrigger is { } trigger:
                return JsonGrammar.LazyCall([.. functions.Select(f => Shape(format, f, EnforceableSchema(f)))], trigger);
            case ToolChoiceMode.Required or ToolChoiceMode.Function:
                var shapes = new List<CallShape>();
                for (var i = 0; i < functions.Count; i++)
                {
                    var function = functions[i];
                    if (choice.Mode == ToolChoiceMode.Function && function.Name != choice.FunctionName) continue;
                    if (format.ForcedCall(function.Name) is null)
                        throw new ToolCallException("tool_choice",
                            $"'tool_choice' forces a call, which cannot yet be constrained for the {format.Family} template family " +
                            "(its calls are not one JSON object of arguments); use 'auto'");
                    shapes.Add(Shape(format, function, CheckedSchema(function, i)));
                }
                if (shapes.Count == 0) throw new ToolCallException("tool_choice", $"'tool_choice' names function '{choice.FunctionName}', which is not offered");
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

    /// <summary>A forced call's schema; refused when the grammar cannot enforce it.</summary>
    private static JsonElement? CheckedSchema(ToolFunction function, int index) => Arguments(function) switch
    {
        (_, { } e) => throw new ToolCallException($"tools[{index}].function.parameters",
            $"'tool_choice' forces a call, but the arguments schema cannot be enforced: {e.Message}"),
        var (schema, _) => schema,
    };

    /// <summary>With <see cref="ToolChoiceMode.Auto"/> a function whose schema cannot be enforced may still be called;
    /// its arguments are then only well-formed JSON (null: any object).</summary>
    private static JsonElement? EnforceableSchema(ToolFunction function) => Arguments(function) is (var schema, null) ? schema : null;
}
