namespace ChatEngine.Templates.Runtime;

/// <summary>
/// <c>obj.name</c> and <c>obj[key]</c> as jinja2's sandbox does them: attribute lookup tries the Python attribute
/// (methods) before the item, subscript the item before the attribute; a miss gives undefined, private and
/// mutating attributes give an "unsafe" undefined.
/// </summary>
internal static class Access
{
    public static object? GetAttribute(object? target, string name)
    {
        if (target is Undefined undefined) throw undefined.Fail();
        if (name.StartsWith('_')) return Undefined.Unsafe(target, name);
        switch (target)
        {
            case Namespace ns:
                return ns.Attributes.TryGetValue(name, out var value) ? value : Undefined.NoAttribute(target, name);
            case LoopContext loop:
                return loop.GetAttribute(name);
        }
        var method = Methods.Bind(target, name);
        if (method is not null) return method;
        if (target is PyDict dict && dict.TryGetPyValue(name, out var item)) return item;
        return Undefined.NoAttribute(target, name);
    }

    public static object? GetItem(object? target, object? key)
    {
        if (target is Undefined undefined) throw undefined.Fail();
        switch (target)
        {
            case PyDict dict:
                if (dict.TryGetPyValue(key, out var value)) return value;
                break;
            case List<object?> list when TryIndex(key, list.Count, out var index):
                return list[index];
            case PyTuple tuple when TryIndex(key, tuple.Items.Count, out var index):
                return tuple.Items[index];
            case string or Markup when key is long or bool:
                PyOps.TryGetText(target, out var text);
                var codePoints = PyText.CodePoints(text);
                if (TryIndex(key, codePoints.Count, out var charIndex)) return codePoints[charIndex];
                break;
        }
        return key is string name ? GetAttribute(target, name) : Undefined.NoAttribute(target, key);
    }

    private static bool TryIndex(object? key, int count, out int index)
    {
        index = -1;
        if (key is not (long or bool)) return false;
        var i = key is bool b ? (b ? 1 : 0) : (long)key;
        if (i < 0) i += count;
        if (i < 0 || i >= count) return false;
        index = (int)i;
        return true;
    }

    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        if (target is Undefined undefined) throw undefined.Fail();
        IReadOnlyList<object?> items = target switch
        {
            List<object?> list => list,
            PyTuple tuple => tuple.Items,
            string s => PyText.CodePoints(s),
            Markup m => PyText.CodePoints(m.Text),
            _ => throw TemplateRuntimeError.TypeError($"'{PyOps.TypeName(target)}' object is not subscriptable"),
        };
        var picked = new List<object?>();
        foreach (var i in SliceIndices(items.Count, start, stop, step)) picked.Add(items[i]);
        return target switch
        {
            List<object?> => picked,
            PyTuple => new PyTuple(picked),
            _ => string.Concat(picked.Cast<string>()),
        };
    }

    private static long? SliceBound(object? value) => value switch
    {
        null => null,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw TemplateRuntimeError.TypeError("slice indices must be integers or None"),
    };

    /// <summary>Python's slice.indices semantics.</summary>
    public static IEnumerable<int> SliceIndices(int length, object? startValue, object? stopValue, object? stepValue)
    {
        var step = SliceBound(stepValue) ?? 1;
        if (step == 0) throw new TemplateRuntimeError("ValueError: slice step cannot be zero");
        var start = SliceBound(startValue);
        var stop = SliceBound(stopValue);
        long Clamp(long? bound, long forDefault, long low, long high)
        {
            if (bound is not { } b) return forDefault;
            if (b < 0) b += length;
            return Math.Clamp(b, low, high);
        }
        if (step > 0)
        {
            var first = Clamp(start, 0, 0, length);
            var end = Clamp(stop, length, 0, length);
            for (var i = first; i < end; i += step) yield return (int)i;
        }
        else
        {
            var first = Clamp(start, length - 1, -1, length - 1);
            var end = Clamp(stop, -1, -1, length - 1);
            for (var i = first; i > end; i += step) yield return (int)i;
        }
    }
}
