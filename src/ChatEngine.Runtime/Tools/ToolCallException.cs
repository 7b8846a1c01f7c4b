namespace ChatEngine.Runtime.Tools;

/// <summary>A call the request asks to force cannot be forced; <see cref="Field"/> names the request field to blame in
/// OpenAI's terms (<c>tool_choice</c>, <c>tools[i].function.parameters</c>).</summary>
public sealed class ToolCallException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
