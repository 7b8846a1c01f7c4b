using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Gemm;

namespace ChatEngine.Kernels;

/// <summary>
/// One <see cref="MatMul.Multiply"/> in flight: computes the outputs of a range of weight rows for all tokens.
/// Rows are taken in blocks of <see cref="RowBlock"/>; each block meets every token's activation row while it is hot
/// in cache, so for prefill the weights are read from memory once per multiply rather than once per token. Where the
/// weight type has a <see cref="TileKernel"/>, whole tiles of its rows go through it (groups of 4 tokens, then single
/// tokens, as far as the tile has those kernels) and the rest goes through the row kernel; both give bitwise the same
/// outputs.
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
    private byte* _interleaved;
    private int* _sums;
    private int _sumsPerToken;

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
    public void UseInterleaved(GgmlType type, byte* interleaved, int* sums, int sumsPerToken)
    {
        _type = type;
        _interleaved = interleaved;
        _sums = sums;
        _sumsPerToken = sumsPerToken;
    }

    public void Clear()
    {
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
        for (var blockStart = start; blockStart < end; blockStart += RowBlock)
        {
            var blockEnd = Math.Min(end, blockStart + RowBlock);
            var rowKernelStart = _tile is { } tile ? ExecuteTiles(tile, blockStart, blockEnd) : blockStart;
            ExecuteRows(rowKernelStart, blockEnd, 0);
        }
    }

    /// <summary>Rows [start, end) (whole groups of 8) for all tokens from the repacked rows, 4 tokens at a time, then single ones.</summary>
    private void ExecuteInterleaved(int start, int end)
    {
        var blocks = _cols / BlockLayout.QK;
        var q4 = _type == GgmlType.Q4_0;
        for (var row = start; row < end; row += RowInterleaving.Rows)
        {
            var weights = _interleaved + (long)row * _rowBytes;
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
