using ChatEngine.Runtime.Tools;

namespace ChatEngine.Server.Protocol;

/// <summary>llama-server's <c>reasoning_format</c>: where the model's reasoning goes in the answer.</summary>
internal enum ReasoningFormat
{
    /// <summary>Left in <c>content</c>, markers included.</summary>
    None,

    /// <summary>Split into <c>reasoning_content</c> the way the template's family writes it (the default).</summary>
    Auto,

    /// <summary>Split into <c>reasoning_content</c>, <c>&lt;think&gt;</c> style.</summary>
    Deepseek,
}

/// <summary>
/// The tool-calling and reasoning fields of a validated chat request, kept for the output step (parsing calls,
/// constraining them); the template has already seen <see cref="Functions"/> through the rendered prompt.
/// </summary>
internal sealed record ChatToolOptions(
    IReadOnlyList<ToolFunction> Functions,
    ToolChoice Choice,
    bool ParallelToolCalls,
    ReasoningFormat ReasoningFormat)
{
    /// <summary>A chat request without tools: nothing to call, reasoning split as llama-server does by default.</summary>
    public static ChatToolOptions NoTools { get; } = new([], ToolChoice.None, ParallelToolCalls: true, ReasoningFormat.Auto);
}
