using System.Numerics.Tensors;
using ChatEngine.Kernels;
using ChatEngine.Kernels.Quants;

namespace ChatEngine.Training.Layers;

/// <summary>
/// A frozen base-model weight of any ggml type (out x in, ggml ne = [in, out]) used without an F32 copy of the whole
/// matrix: every pass dequantizes the rows it needs as it goes. Both directions give the same bits for any thread
/// count (each output element is summed by one thread in a fixed order).
/// </summary>
internal sealed class FrozenMatrix(WeightMatrix weight)
{
    /// <summary>Below this many multiply-adds a pass runs on the calling thread (fork/join would cost more).</summary>
    private const long ParallelThreshold = 1 << 18;

    public int Rows => weight.Rows;
    public int Cols => weight.Cols;

    /// <summary>y[t, o] = W[o, :] · x[t, :] for <paramref name="tokens"/> rows of x.</summary>
    public void Forward(float[] x, int tokens, float[] y, ParallelOptions parallel)
    {
        var cols = Cols;
        var rows = Rows;
        ForChunks(rows, (long)rows * cols * tokens, parallel, (first, last) =>
        {
            var row = new float[cols];
            for (var o = first; o < last; o++)
            {
                QuantFormats.Dequantize(weight.Type, weight.Row(o), row);
                for (var t = 0; t < tokens; t++) y[t * rows + o] = TensorPrimitives.Dot(x.AsSpan(t * cols, cols), row);
            }
        });
    }

    /// <summary>dx[t, :] += Σ_o dy[t, o] W[o, :] (the gradient of <see cref="Forward"/> with respect to x).</summary>
    public void BackwardInput(float[] dy, int tokens, float[] dx, ParallelOptions parallel)
    {
        var cols = Cols;
        var rows = Rows;
        ForChunks(tokens, (long)rows * cols * tokens, parallel, (first, last) =>
        {
            var row = new float[cols];
            for (var o = 0; o < rows; o++)
            {
                QuantFormats.Dequantize(weight.Type, weight.Row(o), row);
                for (var t = first; t < last; t++)
                {
                    var g = dy[t * rows + o];
                    if (g != 0) TensorPrimitives.MultiplyAdd(row, g, dx.AsSpan(t * cols, cols), dx.AsSpan(t * cols, cols));
                }
            }
        });
    }

    /// <summary>Dequantizes the whole matrix (rows x cols, row-major); for merging and tests, not the training loop.</summary>
    public float[] ToFloat()
    {
        var values = new float[Rows * Cols];
        for (var o = 0; o < Rows; o++) QuantFormats.Dequantize(weight.Type, weight.Row(o), values.AsSpan(o * Cols, Cols));
        return values;
    }

    private static void ForChunks(int count, long work, ParallelOptions parallel, Action<int, int> body)
    {
        var threads = parallel.MaxDegreeOfParallelism;
        if (threads <= 1 || work < ParallelThreshold || count < 2)
        {
            body(0, count);
            return;
        }
        var chunks = Math.Min(count, threads * 4);
        Parallel.For(0, chunks, parallel, c => body((int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks)));
    }
}
