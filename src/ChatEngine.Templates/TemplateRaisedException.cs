namespace ChatEngine.Templates;

/// <summary>
/// The template called <c>raise_exception(msg)</c> (transformers' TemplateError). <see cref="Exception.Message"/> is
/// exactly <c>msg</c>, so it can be shown to the user as the model vendor wrote it.
/// </summary>
public sealed class TemplateRaisedException : TemplateRenderException
{
    public TemplateRaisedException(string message, int line, int column)
        : base(message, line, column, message)
    {
    }
}
