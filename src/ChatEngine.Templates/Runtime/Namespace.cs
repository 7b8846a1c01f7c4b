namespace ChatEngine.Templates.Runtime;

/// <summary>jinja2's <c>namespace()</c>: the only object whose attributes <c>{% set ns.x = ... %}</c> may assign.</summary>
internal sealed class Namespace
{
    public OrderedDictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
