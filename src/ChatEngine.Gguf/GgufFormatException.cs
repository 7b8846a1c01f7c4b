namespace ChatEngine.Gguf;

/// <summary>A GGUF file is malformed, truncated or uses something this reader does not support.</summary>
public sealed class GgufFormatException : Exception
{
    public GgufFormatException(string message, string field, long offset)
        : base($"{message} (field '{field}' at byte offset {offset})")
    {
        Field = field;
        Offset = offset;
    }

    public GgufFormatException(string message)
        : this(message, field: "")
    {
    }

    /// <summary>A problem with the value of <paramref name="field"/> (a metadata key or tensor) rather than with its bytes.</summary>
    public GgufFormatException(string message, string field)
        : base(message)
    {
        Field = field;
        Offset = -1;
    }

    /// <summary>The header field, metadata key or tensor the problem was found in.</summary>
    public string Field { get; }

    /// <summary>Byte offset in the file where the problem was found; -1 when it concerns no single place.</summary>
    public long Offset { get; }
}
