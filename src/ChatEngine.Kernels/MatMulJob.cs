namespace ChatEngine.Kernels;

/// <summary>
/// One <see cref="MatMul.Multiply"/> in flight: computes the outputs of a range of weight rows for all tokens.
/// Rows are taken in blocks of <see cref="RowBlock"/>; each block meets every token's activation row while it is hot
/// in cache, so for prefill the weights are read from memory once per multiply rather than once per token.
/// </summary>
internal sealed unsafe class MatMulJob : IComputeJob
{
    public const int RowBlock = 16;

    private delegate*<byte*, byte*, int, float> _kernel;
    private byte* _weights;
    private int _rowBytes;
    private int _rows;
    private int _cols;
    private byte* _activations;
    private int _activationRowBytes;
    private int _tokens;
    private float* _output;

    public void Prepare(delegate*<byte*, byte*, int, float> kernel, byte* weights, int rowBytes, int rows, int cols,
        byte* activations, int activationRowBytes, int tokens, float* output)
    {
        _kernel = kernel;
        _weights = weights;
        _rowBytes = rowBytes;
        _rows = rows;
        _cols = cols;
        _activations = activations;
        _activationRowBytes = activationRowBytes;
        _tokens = tokens;
        _output = output;
    }

    public void Clear()
    {
        _weights = null;
        _activations = null;
        _output = null;
    }

    public void Execute(int start, int end)
    {
        var kernel = _kernel;
        for (var blockStart = start; blockStart < end; blockStart += RowBlock)
        {
            var blockEnd = Math.Min(end, blockStart + RowBlock);
            for (var t = 0; t < _tokens; t++)
            {
                var activation = _activations + (long)t * _activationRowBytes;
                var output = _output + (long)t * _rows;
                var weights = _weights + (long)blockStart * _rowBytes;
                for (var r = blockStart; r < blockEnd; r++, weights += _rowBytes) output[r] = kernel(weights, activation, _cols);
            }
        }
    }
}
