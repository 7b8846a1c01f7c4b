namespace ChatEngine.Templates.Runtime;

/// <summary>A Python dict: insertion-ordered, keys compared with Python equality (1 == 1.0 == True).</summary>
internal sealed class PyDict : OrderedDictionary<object, object?>
{
    public PyDict() : base(PyKeyComparer.Instance)
    {
    }

    public static object Key(object? key, string context) =>
        key switch
        {
            null => PyNone.Key,
            List<object?> or PyDict or Undefined => throw TemplateRuntimeError.TypeError($"unhashable type: '{PyOps.TypeName(key)}' ({context})"),
            _ => key,
        };

    public static object? Unkey(object key) => ReferenceEquals(key, PyNone.Key) ? null : key;

    public bool TryGetPyValue(object? key, out object? value)
    {
        value = null;
        return key is not (List<object?> or PyDict or Undefined) && TryGetValue(key ?? PyNone.Key, out value);
    }

    /// <summary>Stand-in for a None key (dictionaries cannot hold a null key).</summary>
    private static class PyNone
    {
        public static readonly object Key = new();
    }

    private sealed class PyKeyComparer : IEqualityComparer<object>
    {
        public static readonly PyKeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => PyOps.PyEquals(x, y);

        public int GetHashCode(object obj) => PyOps.PyHash(obj);
    }
}
