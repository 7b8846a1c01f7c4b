namespace ChatEngine.Gguf;

/// <summary>
/// A tensor directory entry. <see cref="Dimensions"/> are ggml's "ne": Dimensions[0] is the innermost (contiguous) one,
/// so a weight of n_out rows by n_in columns has Dimensions = [n_in, n_out]. <see cref="Offset"/> is relative to the
/// start of the data section.
/// </summary>
public sealed record GgufTensorInfo
{
    public GgufTensorInfo(string name, GgmlType type, long[] dimensions, ulong offset)
    {
        Name = name;
        Type = type;
        Dimensions = dimensions;
        Offset = offset;
        ElementCount = dimensions.Aggregate(1L, (n, d) => checked(n * d));
        ByteSize = checked(GgmlTypeInfo.RowBytes(type, dimensions[0]) * (ElementCount / Math.Max(1, dimensions[0])));
    }

    public string Name { get; }
    public GgmlType Type { get; }
    public long[] Dimensions { get; }
    public ulong Offset { get; }
    public long ElementCount { get; }
    public long ByteSize { get; }

    /// <summary>Rows of a 2-D view: the product of all dimensions but the first.</summary>
    public long Rows => Dimensions[0] == 0 ? 0 : ElementCount / Dimensions[0];

    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dimensions)}]";
}
