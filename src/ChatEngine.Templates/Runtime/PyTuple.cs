namespace ChatEngine.Templates.Runtime;

/// <summary>An immutable Python tuple (from <c>(a, b)</c>, <c>items()</c>, <c>dictsort</c> ...).</summary>
internal sealed class PyTuple(IReadOnlyList<object?> items)
{
    public IReadOnlyList<object?> Items { get; } = items;
}
