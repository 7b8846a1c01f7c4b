namespace ChatEngine.Templates.Runtime;

/// <summary>A frame of variables; lookups fall back to the enclosing frame, assignments stay in this one.</summary>
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope._parent)
        {
            if (scope._variables.TryGetValue(name, out value)) return true;
        }
        value = null;
        return false;
    }

    private readonly Scope? _parent = parent;

    public object? Lookup(string name) => TryGet(name, out var value) ? value : Undefined.Missing(name);

    public void Set(string name, object? value) => _variables[name] = value;
}
