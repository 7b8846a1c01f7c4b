using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ChatEngine.Gguf;

/// <summary>The key/value metadata of a GGUF file, in file order, with typed accessors.</summary>
public sealed class GgufMetadata : IReadOnlyDictionary<string, GgufValue>
{
    private readonly List<KeyValuePair<string, GgufValue>> _ordered = [];
    private readonly Dictionary<string, GgufValue> _byKey = new(StringComparer.Ordinal);

    public GgufMetadata()
    {
    }

    public GgufMetadata(IEnumerable<KeyValuePair<string, GgufValue>> entries)
    {
        foreach (var (key, value) in entries) Set(key, value);
    }

    /// <summary>Adds or replaces <paramref name="key"/>; a new key goes to the end, a replaced one keeps its place.</summary>
    public void Set(string key, GgufValue value)
    {
        if (_byKey.ContainsKey(key))
        {
            var index = _ordered.FindIndex(kv => kv.Key == key);
            _ordered[index] = new(key, value);
        }
        else
        {
            _ordered.Add(new(key, value));
        }
        _byKey[key] = value;
    }

    public bool Remove(string key)
    {
        if (!_byKey.Remove(key)) return false;
        _ordered.RemoveAll(kv => kv.Key == key);
        return true;
    }

    public GgufValue this[string key] =>
        _byKey.TryGetValue(key, out var value) ? value : throw new GgufFormatException($"metadata key '{key}' is missing", key);

    public IEnumerable<string> Keys => _ordered.Select(kv => kv.Key);
    public IEnumerable<GgufValue> Values => _ordered.Select(kv => kv.Value);
    public int Count => _ordered.Count;
    public bool ContainsKey(string key) => _byKey.ContainsKey(key);
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out GgufValue value) => _byKey.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, GgufValue>> GetEnumerator() => _ordered.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public string GetString(string key) =>
        TryGetString(key, out var value) ? value : throw Missing(key, "a string");

    public bool TryGetString(string key, [MaybeNullWhen(false)] out string value)
    {
        value = TryGetValue(key, out var v) ? v.Value as string : null;
        return value is not null;
    }

    public uint GetUInt32(string key) =>
        TryGetUInt32(key, out var value) ? value : throw Missing(key, "an unsigned 32-bit integer");

    public bool TryGetUInt32(string key, out uint value)
    {
        value = 0;
        if (!TryGetValue(key, out var v) || !TryGetInteger(v.Value, out var wide) || wide < 0 || wide > uint.MaxValue) return false;
        value = (uint)wide;
        return true;
    }

    public float GetFloat32(string key) =>
        TryGetFloat32(key, out var value) ? value : throw Missing(key, "a float");

    public bool TryGetFloat32(string key, out float value)
    {
        (var found, value) = TryGetValue(key, out var v) ? v.Value switch
        {
            float f => (true, f),
            double d => (true, (float)d),
            _ => (false, 0f),
        } : (false, 0f);
        return found;
    }

    public bool TryGetBool(string key, out bool value)
    {
        value = TryGetValue(key, out var v) && v.Value is true;
        return v?.Value is bool;
    }

    public GgufArray GetArray(string key) =>
        TryGetValue(key, out var v) && v.Value is GgufArray array ? array : throw Missing(key, "an array");

    public string[] GetStringArray(string key) =>
        GetArray(key).Items as string[] ?? throw Missing(key, "an array of strings");

    public float[] GetFloat32Array(string key) => GetArray(key).Items switch
    {
        float[] floats => floats,
        double[] doubles => Array.ConvertAll(doubles, d => (float)d),
        _ => throw Missing(key, "an array of floats"),
    };

    public int[] GetInt32Array(string key)
    {
        var items = GetArray(key).Items;
        if (items is int[] ints) return ints;
        var result = new int[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            if (!TryGetInteger(items.GetValue(i), out var wide) || wide < int.MinValue || wide > int.MaxValue)
                throw Missing(key, "an array of 32-bit integers");
            result[i] = (int)wide;
        }
        return result;
    }

    private static bool TryGetInteger(object? value, out long wide)
    {
        (var ok, wide) = value switch
        {
            byte b => (true, b),
            sbyte sb => (true, sb),
            ushort us => (true, us),
            short s => (true, s),
            uint ui => (true, ui),
            int i => (true, i),
            long l => (true, l),
            ulong ul when ul <= long.MaxValue => (true, (long)ul),
            _ => (false, 0L),
        };
        return ok;
    }

    private GgufFormatException Missing(string key, string expected) =>
        _byKey.TryGetValue(key, out var v)
            ? new GgufFormatException($"metadata key '{key}' is {Describe(v)}, expected {expected}", key)
            : new GgufFormatException($"required metadata key '{key}' is missing", key);

    /// <summary>The type, with the value when it is a number or bool (strings and arrays can be long).</summary>
    private static string Describe(GgufValue value) =>
        value.Value is string or GgufArray ? value.Type.ToString() : FormattableString.Invariant($"{value.Type} {value.Value}");
}
