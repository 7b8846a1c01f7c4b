namespace ChatEngine.Templates.Runtime;

/// <summary>
/// jinja2's default Undefined: prints as '', is falsy, iterates as empty and has length 0, but any other use
/// (arithmetic, attribute or item access, calling, comparison) fails with <see cref="Hint"/>.
/// </summary>
internal sealed class Undefined
{
    private Undefined(string hint) => Hint = hint;

    /// <summary>The message of the error raised when this value is used.</summary>
    public string Hint { get; }

    public static Undefined Missing(string name) => new($"'{name}' is undefined");

    public static Undefined NoAttribute(object? owner, object? key) => key is string name
        ? new Undefined($"'{PyOps.TypeName(owner)} object' has no attribute '{name}'")
        : new Undefined($"'{PyOps.TypeName(owner)} object' has no element {PyFormat.Repr(key)}");

    /// <summary>What the immutable sandbox returns for private or mutating attributes.</summary>
    public static Undefined Unsafe(object? owner, string attribute) =>
        new($"access to attribute '{attribute}' of '{PyOps.TypeName(owner)}' object is unsafe.");

    public static Undefined Custom(string hint) => new(hint);

    public TemplateRuntimeError Fail() => new(Hint);
}
