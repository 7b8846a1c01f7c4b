namespace ChatEngine.Templates;

/// <summary>
/// Rendering failed: the template did something that jinja2 would also reject (iterating None, using an undefined
/// value in arithmetic, a type error ...) or called <c>raise_exception</c> (see <see cref="TemplateRaisedException"/>).
/// </summary>
public class TemplateRenderException : Exception
{
    public TemplateRenderException(string reason, int line, int column)
        : this(reason, line, column, $"{reason} (line {line}, column {column})")
    {
    }

    private protected TemplateRenderException(string reason, int line, int column, string message)
        : base(message)
    {
        Reason = reason;
        Line = line;
        Column = column;
    }

    /// <summary>What went wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>1-based line of the expression that failed.</summary>
    public int Line { get; }

    /// <summary>1-based column of the expression that failed.</summary>
    public int Column { get; }
}
