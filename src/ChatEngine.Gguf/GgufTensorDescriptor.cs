namespace ChatEngine.Gguf;

/// <summary>A tensor to be written: name, type and ggml dimensions (Dimensions[0] innermost).</summary>
public sealed record GgufTensorDescriptor(string Name, GgmlType Type, long[] Dimensions)
{
    public long ByteSize => GgmlTypeInfo.RowBytes(Type, Dimensions[0]) * Dimensions.Skip(1).Aggregate(1L, (n, d) => n * d);

    public static GgufTensorDescriptor From(GgufTensorInfo info) => new(info.Name, info.Type, info.Dimensions);
}
