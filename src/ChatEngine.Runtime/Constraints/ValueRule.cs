namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// One node of a compiled <see cref="JsonGrammar"/>: which JSON values may appear at a place in the document.
/// <see cref="TryStart"/> begins such a value with its first byte; containers then continue through their
/// <see cref="Frame"/>, scalars through their <see cref="Leaf"/>.
/// </summary>
internal abstract class ValueRule
{
    /// <summary>Starts a value of this rule with byte <paramref name="b"/> inside <paramref name="parent"/> (which
    /// is waiting for this value); false when no such value starts with that byte.</summary>
    public abstract bool TryStart(Frame parent, byte b, out JsonCursor next);

    public bool CanStartWith(byte b) => TryStart(Frame.Root(this), b, out _);

    /// <summary>The fewest bytes a complete value of this rule takes.</summary>
    public abstract int MinimumLength { get; }
}
