using ChatEngine.Gguf;

namespace ChatEngine.Kernels;

/// <summary>
/// A weight matrix used in place (e.g. inside a memory-mapped GGUF file): <see cref="Rows"/> rows (output features),
/// each <see cref="Cols"/> elements (input features) stored as consecutive blocks of <see cref="Type"/>.
/// This is ggml's layout for a 2-D tensor with ne = [Cols, Rows].
/// </summary>
public readonly unsafe struct WeightMatrix
{
    public WeightMatrix(GgmlType type, byte* data, int rows, int cols)
    {
        Type = type;
        Data = data;
        Rows = rows;
        Cols = cols;
        RowBytes = checked((int)GgmlTypeInfo.RowBytes(type, cols));
    }

    public GgmlType Type { get; }
    public byte* Data { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int RowBytes { get; }

    /// <summary>
    /// The same rows repacked for the matrix-product kernels (<see cref="InterleavedWeights"/>), or null. <see cref="Row"/>
    /// and <see cref="Data"/> always give the file's layout.
    /// </summary>
    public byte* Interleaved { get; init; }

    public ReadOnlySpan<byte> Row(int row) => new(Data + (long)row * RowBytes, RowBytes);
}
