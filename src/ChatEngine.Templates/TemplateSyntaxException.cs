namespace ChatEngine.Templates;

/// <summary>The template source is malformed or uses a construct this engine does not support.</summary>
public sealed class TemplateSyntaxException : Exception
{
    public TemplateSyntaxException(string reason, int line, int column)
        : base($"{reason} (line {line}, column {column})")
    {
        Reason = reason;
        Line = line;
        Column = column;
    }

    /// <summary>What was wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>1-based line of the offending construct.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending construct.</summary>
    public int Column { get; }
}
