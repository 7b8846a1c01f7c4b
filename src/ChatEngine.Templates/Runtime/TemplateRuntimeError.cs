namespace ChatEngine.Templates.Runtime;

/// <summary>
/// A failure inside the runtime, before it is tied to a source position: the renderer catches it at the innermost
/// expression or statement and rethrows it as a <see cref="TemplateRenderException"/> with line and column.
/// </summary>
internal sealed class TemplateRuntimeError(string message, bool raisedByTemplate = false) : Exception(message)
{
    /// <summary>True for <c>raise_exception(msg)</c>: the message is the template author's text.</summary>
    public bool RaisedByTemplate { get; } = raisedByTemplate;

    public static TemplateRuntimeError TypeError(string message) => new(message);
}
