namespace ChatEngine.Gguf;

/// <summary>
/// One metadata value. Scalars are boxed as their .NET type (byte, sbyte, ushort, short, uint, int, ulong, long, float,
/// double, bool, string); arrays are <see cref="GgufArray"/>.
/// </summary>
public sealed class GgufValue
{
    public GgufValue(GgufValueType type, object value)
    {
        Type = type;
        Value = value;
    }

    public GgufValueType Type { get; }
    public object Value { get; }

    public override string ToString() => Value is GgufArray array ? array.ToString() : Value.ToString() ?? "";
}

/// <summary>
/// A metadata array: <see cref="Items"/> is a typed array (byte[], int[], float[], string[] ...) matching
/// <see cref="ElementType"/>, or <see cref="GgufArray"/>[] for nested arrays.
/// </summary>
public sealed class GgufArray
{
    public GgufArray(GgufValueType elementType, Array items)
    {
        ElementType = elementType;
        Items = items;
    }

    public GgufValueType ElementType { get; }
    public Array Items { get; }
    public int Length => Items.Length;

    public override string ToString() => $"[{ElementType} x {Items.Length}]";
}
