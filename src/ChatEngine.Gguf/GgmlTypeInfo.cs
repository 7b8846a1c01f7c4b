namespace ChatEngine.Gguf;

/// <summary>Storage layout facts of each <see cref="GgmlType"/>: elements per block and bytes per block.</summary>
public static class GgmlTypeInfo
{
    /// <summary>Super-block size of the K-quants.</summary>
    public const int QK_K = 256;

    public static bool IsSupported(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0
            or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1 or GgmlType.Q2_K or GgmlType.Q3_K
            or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K => true,
        _ => false,
    };

    /// <summary>Number of elements in one block.</summary>
    public static int BlockSize(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 => 1,
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or GgmlType.Q8_1 => 32,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.Q8_K => QK_K,
        _ => throw new NotSupportedException($"unsupported ggml type {type}"),
    };

    /// <summary>Number of bytes one block occupies.</summary>
    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 or GgmlType.BF16 => 2,
        GgmlType.Q4_0 => 2 + 16,
        GgmlType.Q4_1 => 2 + 2 + 16,
        GgmlType.Q5_0 => 2 + 4 + 16,
        GgmlType.Q5_1 => 2 + 2 + 4 + 16,
        GgmlType.Q8_0 => 2 + 32,
        GgmlType.Q8_1 => 2 + 2 + 32,
        GgmlType.Q2_K => QK_K / 16 + QK_K / 4 + 2 + 2,
        GgmlType.Q3_K => QK_K / 8 + QK_K / 4 + 12 + 2,
        GgmlType.Q4_K => 2 + 2 + 12 + QK_K / 2,
        GgmlType.Q5_K => 2 + 2 + 12 + QK_K / 8 + QK_K / 2,
        GgmlType.Q6_K => QK_K / 2 + QK_K / 4 + QK_K / 16 + 2,
        GgmlType.Q8_K => 4 + QK_K + QK_K / 16 * 2,
        _ => throw new NotSupportedException($"unsupported ggml type {type}"),
    };

    /// <summary>Bytes of a row of <paramref name="elements"/> values; the count must be a whole number of blocks.</summary>
    public static long RowBytes(GgmlType type, long elements)
    {
        var block = BlockSize(type);
        if (elements % block != 0)
            throw new ArgumentException($"{elements} elements is not a multiple of the {type} block size {block}", nameof(elements));
        return elements / block * BlockBytes(type);
    }
}
