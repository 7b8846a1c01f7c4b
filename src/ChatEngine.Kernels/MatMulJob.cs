using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Gemm;

namespace ChatEngine.Kernels;

/// <summary>
/// One <see cref="MatMul.Multiply"/> in flight: computes the outputs of a range of weight rows for all tokens.
/// Rows are taken in groups (8 repacked rows, or blocks of <see cref="RowBlock"/>) that meet every token's activation
/// row while they are hot in cache, so for prefill the weights are read from memory once per multiply rather than once
/// per token. Repacked weights (<see cref="WeightMatrix.Interleaved"/>) go through the interleaved kernels, float
/// weights in a batch through <see cref="FloatTile"/>; otherwise whole tiles of a <see cref="TileKernel"/> and the row
/// kernel for the rest. Every path gives bitwise the row kernel's (or, for float batches, the batch kernel's) outputs.
/// </summary>
internal sealed unsafe class MatMulJob : IComputeJob
{
    public const int RowBlock = 16;

    private delegate*<byte*, byte*, int, float> _kernel;
    private TileKernel? _tile;
    private byte* _weights;
    private int _rowBytes;
    private int _rows;
    private int _cols;
    private byte* _activations;
    private int _activationRowBytes;
    private int _tokens;
    private float* _output;
    private GgmlType _type;
    private bool _floatBatch;
    private byte* _interleaved;
    private long _groupBytes;
    private int* _sums;
    private int _sumsPerToken;

    /// <summary>Each thread's F32 copy of the float weight rows it is working on (<see cref="ExecuteFloatBatch"/>).</summary>
    [ThreadStatic]
    private static float[]? t_convertedRows;

    public void Prepare(delegate*<byte*, byte*, int, float> kernel, TileKernel? tile, byte* weights, int rowBytes, int rows, int cols,
        byte* activations, int activationRowBytes, int tokens, float* output)
    {
        _kernel = kernel;
        _tile = tile;
        _weights = weights;
        _rowBytes = rowBytes;
        _rows = rows;
        _cols = cols;
        _activations = activations;
        _activationRowBytes = activationRowBytes;
        _tokens = tokens;
        _output = output;
    }

    /// <summary>Computes from the repacked rows (<see cref="RowInterleaving"/>) with the activations' prepared block sums.</summary>
    public void UseInterleaved(GgmlType type, byte* interleaved, long groupBytes, int* sums, int sumsPerToken)
    {
        _type = type;
        _groupBytes = groupBytes;
        _interleaved = interleaved;
        _sums = sums;
        _sumsPerToken = sumsPerToken;
    }

    /// <summary>Computes a batch of float weights through <see cref="FloatTile"/>.</summary>
    public void UseFloatTiles(GgmlType type)
    {
        _type = type;
        _floatBatch = true;
    }

    public void Clear()
    {
        _floatBatch = false;
        _interleaved = null;
        _sums = null;
        _weights = null;
        _activations = null;
        _output = null;
    }

    public void Execute(int start, int end)
    {
        if (_interleaved != null)
        {
            ExecuteInterleaved(start, end);
            return;
        }
        if (_floatBatch)
        {
            ExecuteFloatBatch(start, end);
            return;
        }
        for (var blockStart = start; blockStart < end; blockStart += RowBlock)
        {
            var blockEnd = Math.Min(end, blockStart + RowBlock);
            var rowKernelStart = _tile is { } tile ? ExecuteTiles(tile, blockStart, blockEnd) : blockStart;
            ExecuteRows(rowKernelStart, blockEnd, 0);
        }
    }

    /// <summary>
    /// Rows [start, end) (whole groups of 8) for all tokens from the repacked rows: 4 tokens at a time, then single ones.
    /// </summary>
    private void ExecuteInterleaved(int start, int end)
    {
        for (var row = start; row < end; row += RowInterleaving.Rows)
        {
            var weights = _interleaved + row / RowInterleaving.Rows * _groupBytes;
            if (_type == GgmlType.Q4_K)
            {
                var superBlocks = _cols / BlockLayout.QK_K;
                var token = 0;
                for (; token + TileKernel.TokenGroup <= _tokens; token += TileKernel.TokenGroup)
                    InterleavedQ4_K.FourTokens(weights, superBlocks, _activations + (long)token * _activationRowBytes, _activationRowBytes,
                        _output + (long)token * _rows + row, _rows);
                for (; token < _tokens; token++)
                    InterleavedQ4_K.OneToken(weights, superBlocks, _activations + (long)token * _activationRowBytes, _output + (long)token * _rows + row);
                continue;
            }
            var blocks = _cols / BlockLayout.QK;
            var q4 = _type == GgmlType.Q4_0;
            var t = 0;
            for (; t + TileKernel.TokenGroup <= _tokens; t += TileKernel.TokenGroup)
            {
                var a = _activations + (long)t * _activationRowBytes;
                var sums = _sums + (long)t * _sumsPerToken;
                var y = _output + (long)t * _rows + row;
                if (q4) InterleavedQ4_0.FourTokens(weights, blocks, a, _activationRowBytes, sums, _sumsPerToken, y, _rows);
                else InterleavedQ8_0.FourTokens(weights, blocks, a, _activationRowBytes, sums, _sumsPerToken, y, _rows);
            }
            for (; t < _tokens; t++)
            {
                var a = _activations + (long)t * _activationRowBytes;
                var sums = _sums + (long)t * _sumsPerToken;
                var y = _output + (long)t * _rows + row;
                if (q4) InterleavedQ4_0.OneToken(weights, blocks, a, sums, y);
                else InterleavedQ8_0.OneToken(weights, blocks, a, sums, y);
            }
        }
    }

    /// <summary>
    /// Rows [start, end) of float weights for all tokens: each block of rows converted to F32 once (F32 rows are used
    /// in place), then 4 rows x 2 tokens per tile and the leftovers through the batch kernel on the converted rows.
    /// </summary>
    private void ExecuteFloatBatch(int start, int end)
    {
        var cols = _cols;
        if (_type != GgmlType.F32 && (t_convertedRows?.Length ?? 0) < RowBlock * cols) t_convertedRows = new float[RowBlock * cols];
        var activations = (float*)_activations;
        var activationStride = _activationRowBytes / sizeof(float);
        fixed (float* converted = t_convertedRows)
            for (var blockStart = start; blockStart < end; blockStart += RowBlock)
            {
                var rows = Math.Min(end, blockStart + RowBlock) - blockStart;
                var weights = (float*)(_weights + (long)blockStart * _rowBytes);
                if (_type != GgmlType.F32)
                {
                    for (var r = 0; r < rows; r++) FloatTile.ToSingles(_type, _weights + (long)(blockStart + r) * _rowBytes, cols, converted + (long)r * cols);
                    weights = converted;
                }
                var row = 0;
                for (; row + FloatTile.Rows <= rows; row += FloatTile.Rows)
                {
                    var t = 0;
                    for (; t + FloatTile.Tokens <= _tokens; t += FloatTile.Tokens)
                        FloatTile.FourRowsTwoTokens(weights + (long)row * cols, cols, activations + (long)t * activationStride, activationStride,
                            _output + (long)t * _rows + blockStart + row, _rows);
                    for (; t < _tokens; t++)
                        for (var r = row; r < row + FloatTile.Rows; r++)
                            _output[(long)t * _rows + blockStart + r] = FloatDot.F32Batch((byte*)(weights + (long)r * cols), (byte*)(activations + (long)t * activationStride), cols);
                }
                for (; row < rows; row++)
                    for (var t = 0; t < _tokens; t++)
                        _output[(long)t * _rows + blockStart + row] = FloatDot.F32Batch((byte*)(weights + (long)row * cols), (byte*)(activations + (long)t * activationStride), cols);
            }
    }

    /// <summary>Runs the whole tiles in [start, end) for all tokens; returns the first row not done.</summary>
    private int ExecuteTiles(TileKernel tile, int start, int end)
    {
        var row = start;
        for (; row + tile.Rows <= end; row += tile.Rows)
        {
            var weights = _weights + (long)row * _rowBytes;
            var t = 0;
            if (tile.FourTokens != null)
                for (; t + TileKernel.TokenGroup <= _tokens; t += TileKernel.TokenGroup)
                    tile.FourTokens(weights, _rowBytes, _activations + (long)t * _activationRowBytes, _activationRowBytes, _output + (long)t * _rows + row, _rows, _cols);
            if (tile.OneToken != null)
                for (; t < _tokens; t++)
                    tile.OneToken(weights, _rowBytes, _activations + (long)t * _activationRowBytes, _activationRowBytes, _output + (long)t * _rows + row, _rows, _cols);
            ExecuteRows(row, row + tile.Rows, t);
        }
        return row;
    }

    /// <summary>Rows [start, end) for tokens from <paramref name="firstToken"/> on, one row kernel call per output.</summary>
    private void ExecuteRows(int start, int end, int firstToken)
    {
        var kernel = _kernel;
        for (var t = firstToken; t < _tokens; t++)
        {
            var activation = _activations + (long)t * _activationRowBytes;
            var output = _output + (long)t * _rows;
            var weights = _weights + (long)start * _rowBytes;
            for (var r = start; r < end; r++, weights += _rowBytes) output[r] = kernel(weights, activation, _cols);
        }
    }
}
