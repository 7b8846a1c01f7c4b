using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Ops;
using ChatEngine.Kernels.Quants;

namespace ChatEngine.Runtime.Model;

/// <summary>
/// Keys and values of one sequence for every layer, sized for the context the caller asked for (not the model's
/// trained maximum). Layout per layer: position-major, each position holding KvHeadCount x HeadSize values.
/// Stored as F16 by default, like llama.cpp's default cache type (half the memory, and the rounding llama.cpp applies),
/// or in the quantized <see cref="KvCacheFormat"/> asked for, each position's row as whole blocks.
/// </summary>
public sealed class KvCache
{
    public KvCache(ModelHyperParameters parameters, int contextSize, KvCacheFormat? format = null)
    {
        if (contextSize < 1) throw new ArgumentOutOfRangeException(nameof(contextSize), contextSize, "context size must be at least 1");
        Format = format ?? KvCacheFormat.F16;
        Format.Validate(parameters);
        ContextSize = contextSize;
        RowSize = parameters.KvSize;
        KeyRowBytes = KvCacheFormat.RowBytes(Format.Keys, RowSize);
        ValueRowBytes = KvCacheFormat.RowBytes(Format.Values, RowSize);
        CheckFitsInMemory(parameters.LayerCount, contextSize, KeyRowBytes, ValueRowBytes);
        Orders = new SummationOrder[contextSize];
        Keys = new byte[parameters.LayerCount][];
        Values = new byte[parameters.LayerCount][];
        for (var i = 0; i < parameters.LayerCount; i++)
        {
            Keys[i] = new byte[(long)contextSize * KeyRowBytes];
            Values[i] = new byte[(long)contextSize * ValueRowBytes];
        }
    }

    /// <summary>Refuses, before allocating anything, a cache no array can hold or larger than the memory the process may use.</summary>
    private static void CheckFitsInMemory(int layers, int contextSize, int keyRowBytes, int valueRowBytes)
    {
        var largest = (long)contextSize * Math.Max(keyRowBytes, valueRowBytes);
        if (largest > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(contextSize),
                $"a KV cache of {contextSize} tokens x {Math.Max(keyRowBytes, valueRowBytes)} bytes per layer is more than one array holds");
        var perLayer = (long)contextSize * (keyRowBytes + valueRowBytes);
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (perLayer > available / layers)
            throw new ArgumentOutOfRangeException(nameof(contextSize),
                $"a KV cache of {contextSize} tokens needs {(Int128)perLayer * layers} bytes ({layers} layers), "
                + $"more than the {available} bytes of memory available");
    }

    public KvCacheFormat Format { get; }

    /// <summary>Bytes of one position's keys, and values, in one layer.</summary>
    public int KeyRowBytes { get; }

    public int ValueRowBytes { get; }

    public int ContextSize { get; }
    public int RowSize { get; }

    /// <summary>Positions [0, Length) hold valid keys and values.</summary>
    public int Length { get; internal set; }

    /// <summary>How each position's keys and values were computed (<see cref="SummationOrder"/> attention and layer bits).</summary>
    public SummationOrder OrderAt(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Length);
        return Orders[position];
    }

    internal SummationOrder[] Orders { get; }
    internal byte[][] Keys { get; }
    internal byte[][] Values { get; }

    /// <summary>Forgets positions from <paramref name="length"/> on, so a shared prefix can be kept and the rest recomputed.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = Math.Min(Length, length);
    }

    /// <summary>
    /// Context shift: forgets positions [<paramref name="keep"/>, keep + <paramref name="discard"/>) and moves the later
    /// ones down by <paramref name="discard"/>, so a position's index stays its position. Each moved key row is widened
    /// to floats, handed to <paramref name="reposition"/> (layer, row) to move its rotary position, and stored again;
    /// value rows move as they are.
    /// </summary>
    internal void Shift(int keep, int discard, Action<int, Span<float>> reposition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        ArgumentOutOfRangeException.ThrowIfLessThan(discard, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keep + discard, Length);
        var row = new float[RowSize];
        for (var layer = 0; layer < Keys.Length; layer++)
        {
            var keys = Keys[layer];
            var values = Values[layer];
            for (var from = keep + discard; from < Length; from++)
            {
                var to = from - discard;
                Decode(Format.Keys, keys.AsSpan(from * KeyRowBytes, KeyRowBytes), row);
                reposition(layer, row);
                Encode(Format.Keys, row, keys.AsSpan(to * KeyRowBytes, KeyRowBytes));
                values.AsSpan(from * ValueRowBytes, ValueRowBytes).CopyTo(values.AsSpan(to * ValueRowBytes, ValueRowBytes));
            }
        }
        Array.Copy(Orders, keep + discard, Orders, keep, Length - keep - discard);
        Length -= discard;
    }

    /// <summary>Writes positions [0, Length): the formats and shape (checked by <see cref="ReadFrom"/>), then every
    /// layer's key and value rows and each position's <see cref="SummationOrder"/>.</summary>
    internal void WriteTo(BinaryWriter writer)
    {
        writer.Write((int)Format.Keys);
        writer.Write((int)Format.Values);
        writer.Write(Keys.Length);
        writer.Write(RowSize);
        writer.Write(Length);
        writer.Write(MemoryMarshal.AsBytes(Orders.AsSpan(0, Length)));
        for (var layer = 0; layer < Keys.Length; layer++)
        {
            writer.Write(Keys[layer].AsSpan(0, Length * KeyRowBytes));
            writer.Write(Values[layer].AsSpan(0, Length * ValueRowBytes));
        }
    }

    /// <summary>Replaces the contents with what <see cref="WriteTo"/> wrote; <see cref="InvalidDataException"/> when it
    /// was written by another model shape, cache format or a longer context, or is cut short (the cache is then empty).</summary>
    internal void ReadFrom(BinaryReader reader)
    {
        Length = 0;
        var (keys, values, layers, rowSize, length) = ((GgmlType)reader.ReadInt32(), (GgmlType)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        if (keys != Format.Keys || values != Format.Values)
            throw new InvalidDataException($"the saved cache stores keys {keys} and values {values}; this one {Format.Keys} and {Format.Values}");
        if (layers != Keys.Length || rowSize != RowSize)
            throw new InvalidDataException($"the saved cache is of a model with {layers} layers of {rowSize} values per position; this one {Keys.Length} of {RowSize}");
        if (length < 0 || length > ContextSize)
            throw new InvalidDataException($"the saved cache holds {length} positions; this context holds {ContextSize}");
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(Orders.AsSpan(0, length)));
        for (var layer = 0; layer < Keys.Length; layer++)
        {
            reader.BaseStream.ReadExactly(Keys[layer].AsSpan(0, length * KeyRowBytes));
            reader.BaseStream.ReadExactly(Values[layer].AsSpan(0, length * ValueRowBytes));
        }
        Length = length;
    }

    public long SizeInBytes => (long)Keys.Length * ContextSize * (KeyRowBytes + ValueRowBytes);

    /// <summary>Stores one position's keys and values of <paramref name="layer"/> (KvHeadCount x HeadSize floats each).</summary>
    internal void Store(int layer, int position, ReadOnlySpan<float> keys, ReadOnlySpan<float> values)
    {
        Encode(Format.Keys, keys, Keys[layer].AsSpan(position * KeyRowBytes, KeyRowBytes));
        Encode(Format.Values, values, Values[layer].AsSpan(position * ValueRowBytes, ValueRowBytes));
    }

    /// <summary>
    /// Positions [first, first + rows) of one head's keys (or values) as floats, head values consecutive: the head
    /// starting at value <paramref name="offset"/> of each row (a multiple of the block size; the format checked that).
    /// </summary>
    internal void Widen(bool keys, int layer, int offset, int width, int first, int rows, Span<float> destination)
    {
        var type = keys ? Format.Keys : Format.Values;
        var rowBytes = keys ? KeyRowBytes : ValueRowBytes;
        var data = (keys ? Keys : Values)[layer];
        var headStart = KvCacheFormat.RowBytes(type, offset);
        var headBytes = KvCacheFormat.RowBytes(type, width);
        if (type == GgmlType.F16)
        {
            var halves = MemoryMarshal.Cast<byte, Half>(data.AsSpan(first * rowBytes + headStart));
            F16Attention.Widen(halves, RowSize, width, rows, destination);
            return;
        }
        for (var r = 0; r < rows; r++)
            QuantFormats.Dequantize(type, data.AsSpan((first + r) * rowBytes + headStart, headBytes), destination.Slice(r * width, width));
    }

    private static void Decode(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (type == GgmlType.F16) TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
        else QuantFormats.Dequantize(type, source, destination);
    }

    private static void Encode(GgmlType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (type == GgmlType.F16) TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
        else QuantFormats.Quantize(type, source, destination);
    }
}
