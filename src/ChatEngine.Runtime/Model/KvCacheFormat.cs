using ChatEngine.Gguf;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// How a KV cache stores keys and values (llama.cpp's <c>--cache-type-k</c> / <c>--cache-type-v</c>): F16 (the default,
/// and the rounding llama.cpp applies), or Q8_0 / Q4_0 blocks of 32 values along each head, about 0.53x / 0.28x the memory.
/// </summary>
public sealed record KvCacheFormat(GgmlType Keys, GgmlType Values)
{
    public static readonly KvCacheFormat F16 = new(GgmlType.F16, GgmlType.F16);

    /// <summary>The cache types accepted, by the names llama.cpp's options take.</summary>
    public static IReadOnlyList<GgmlType> Types { get; } = [GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0];

    /// <summary><paramref name="name"/> (f16, q8_0, q4_0, any case) as a cache type; anything else is an <see cref="ArgumentException"/>.</summary>
    public static GgmlType Parse(string name)
    {
        foreach (var type in Types)
            if (string.Equals(type.ToString(), name, StringComparison.OrdinalIgnoreCase)) return type;
        throw new ArgumentException($"cache type '{name}' is not one of {string.Join(", ", Types.Select(t => t.ToString().ToLowerInvariant()))}");
    }

    /// <summary>Refuses a format the model's heads cannot be stored in: quantized blocks must not straddle two heads.</summary>
    public void Validate(ModelHyperParameters parameters)
    {
        foreach (var (what, type) in new[] { ("keys", Keys), ("values", Values) })
        {
            if (!Types.Contains(type)) throw new ArgumentException($"a KV cache cannot store {what} as {type}");
            if (type != GgmlType.F16 && parameters.HeadSize % GgmlTypeInfo.BlockSize(type) != 0)
                throw new ArgumentException(
                    $"a {type} KV cache needs a head size that is a multiple of {GgmlTypeInfo.BlockSize(type)}; this model's heads have {parameters.HeadSize} values");
        }
    }

    /// <summary>Bytes one cached token takes over all layers.</summary>
    public long BytesPerToken(ModelHyperParameters parameters) =>
        (long)parameters.LayerCount * (RowBytes(Keys, parameters.KvSize) + RowBytes(Values, parameters.KvSize));

    public override string ToString() => $"k {Keys.ToString().ToLowerInvariant()}, v {Values.ToString().ToLowerInvariant()}";

    /// <summary>Bytes of one position's keys (or values) of one layer stored as <paramref name="type"/>.</summary>
    public static int RowBytes(GgmlType type, int values) => (int)GgmlTypeInfo.RowBytes(type, values);
}
