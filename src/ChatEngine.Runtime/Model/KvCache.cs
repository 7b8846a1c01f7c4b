namespace ChatEngine.Runtime.Model;

/// <summary>
/// Keys and values of one sequence for every layer, sized for the context the caller asked for (not the model's
/// trained maximum). Layout per layer: position-major, each position holding KvHeadCount x HeadSize values.
/// Stored as F16 like llama.cpp's default cache type: half the memory, and the same rounding llama.cpp applies.
/// </summary>
public sealed class KvCache
{
    public KvCache(ModelHyperParameters parameters, int contextSize)
    {
        if (contextSize < 1) throw new ArgumentOutOfRangeException(nameof(contextSize), contextSize, "context size must be at least 1");
        ContextSize = contextSize;
        RowSize = parameters.KvSize;
        CheckFitsInMemory(parameters.LayerCount, contextSize, RowSize);
        Orders = new SummationOrder[contextSize];
        Keys = new Half[parameters.LayerCount][];
        Values = new Half[parameters.LayerCount][];
        for (var i = 0; i < parameters.LayerCount; i++)
        {
            Keys[i] = new Half[(long)contextSize * RowSize];
            Values[i] = new Half[(long)contextSize * RowSize];
        }
    }

    /// <summary>Refuses, before allocating anything, a cache no array can hold or larger than the memory the process may use.</summary>
    private static void CheckFitsInMemory(int layers, int contextSize, int rowSize)
    {
        var valuesPerLayer = (long)contextSize * rowSize;
        if (valuesPerLayer > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(contextSize),
                $"a KV cache of {contextSize} tokens x {rowSize} values per layer is more than one array holds");
        const int bytesPerValue = 2 * 2; // keys and values, F16
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (valuesPerLayer * bytesPerValue > available / layers)
            throw new ArgumentOutOfRangeException(nameof(contextSize),
                $"a KV cache of {contextSize} tokens needs {(Int128)valuesPerLayer * bytesPerValue * layers} bytes ({layers} layers), "
                + $"more than the {available} bytes of memory available");
    }

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
    internal Half[][] Keys { get; }
    internal Half[][] Values { get; }

    /// <summary>Forgets positions from <paramref name="length"/> on, so a shared prefix can be kept and the rest recomputed.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = Math.Min(Length, length);
    }

    public long SizeInBytes => 2L * Keys.Length * ContextSize * RowSize * 2;
}
