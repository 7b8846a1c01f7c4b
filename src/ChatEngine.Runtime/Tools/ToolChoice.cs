using System.Text.Json.Nodes;

namespace ChatEngine.Runtime.Tools;

/// <summary>A function the client offers (<c>tools[i].function</c>); <see cref="Parameters"/> is its JSON schema, or null.</summary>
public sealed record ToolFunction(string Name, string? Description, JsonObject? Parameters);

/// <summary><c>tool_choice</c>: <c>none</c>, <c>auto</c>, <c>required</c>, or one named function.</summary>
public enum ToolChoiceMode
{
    None,
    Auto,
    Required,
    Function,
}

/// <summary><c>tool_choice</c>; <see cref="FunctionName"/> is set only for <see cref="ToolChoiceMode.Function"/>.</summary>
public sealed record ToolChoice(ToolChoiceMode Mode, string? FunctionName = null)
{
    public static ToolChoice None { get; } = new(ToolChoiceMode.None);
    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);
}
