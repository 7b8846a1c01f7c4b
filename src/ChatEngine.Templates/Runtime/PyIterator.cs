namespace ChatEngine.Templates.Runtime;

/// <summary>
/// A one-shot Python iterator: what jinja2's map/select/reject/selectattr/rejectattr/batch/items filters and
/// <c>reverse</c> of a list return. It is always truthy, has no len(), cannot be serialised by tojson, and is
/// exhausted after one pass — templates that forget <c>|list</c> fail or misbehave here exactly as in jinja2.
/// </summary>
internal sealed class PyIterator(string typeName, IEnumerable<object?> source)
{
    private readonly IEnumerator<object?> _source = source.GetEnumerator();

    public string TypeName { get; } = typeName;

    public IEnumerable<object?> Consume()
    {
        while (_source.MoveNext()) yield return _source.Current;
    }
}
