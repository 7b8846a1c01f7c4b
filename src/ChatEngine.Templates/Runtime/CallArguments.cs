namespace ChatEngine.Templates.Runtime;

/// <summary>Evaluated positional and keyword arguments of a call, filter or test, with Python-style binding helpers.</summary>
internal sealed class CallArguments(List<object?> positional, List<KeyValuePair<string, object?>> keyword)
{
    public static CallArguments Empty => new([], []);

    public List<object?> Positional { get; } = positional;

    public List<KeyValuePair<string, object?>> Keyword { get; } = keyword;

    public bool TryGet(int position, string name, out object? value)
    {
        if (position >= 0 && position < Positional.Count)
        {
            value = Positional[position];
            return true;
        }
        foreach (var pair in Keyword)
        {
            if (pair.Key == name)
            {
                value = pair.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    public object? Get(int position, string name, object? fallback) => TryGet(position, name, out var value) ? value : fallback;

    public object? Require(int position, string name, string function) =>
        TryGet(position, name, out var value) ? value : throw TemplateRuntimeError.TypeError($"{function}() missing required argument '{name}'");

    /// <summary>Rejects arguments the callee does not take, as Python would with a TypeError.</summary>
    public void Check(string function, params string[] parameterNames)
    {
        if (Positional.Count > parameterNames.Length)
        {
            throw TemplateRuntimeError.TypeError($"{function}() takes at most {parameterNames.Length} argument(s), {Positional.Count} given");
        }
        foreach (var pair in Keyword)
        {
            var index = Array.IndexOf(parameterNames, pair.Key);
            if (index < 0) throw TemplateRuntimeError.TypeError($"{function}() got an unexpected keyword argument '{pair.Key}'");
            if (index < Positional.Count) throw TemplateRuntimeError.TypeError($"{function}() got multiple values for argument '{pair.Key}'");
        }
    }

    /// <summary>The same arguments without the first <paramref name="count"/> positional ones.</summary>
    public CallArguments Skip(int count) => new(Positional.Skip(count).ToList(), Keyword);
}
