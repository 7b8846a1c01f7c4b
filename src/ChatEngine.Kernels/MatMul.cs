using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using ChatEngine.Kernels.Gemm;

namespace ChatEngine.Kernels;

/// <summary>Matrix products of a <see cref="WeightMatrix"/> with float activations, computed like ggml's CPU backend.</summary>
public static class MatMul
{
    /// <summary>Below this many multiply-adds a product runs on the calling thread only: waking workers costs more.</summary>
    private const long ParallelThreshold = 1 << 16;

    /// <summary>
    /// For each of <paramref name="tokens"/> input rows x_t (length w.Cols, consecutive in <paramref name="input"/>),
    /// writes y_t[r] = dot(W row r, x_t) to <paramref name="output"/> at t * w.Rows + r.
    /// </summary>
    /// <remarks>
    /// Each x_t is first converted to the weight type's activation type (<see cref="VecDot.ActivationType"/>: Q8_0,
    /// Q8_1 or Q8_K quants, F16 / BF16 rounding) as llama.cpp does, then every output is one vec_dot of a weight row
    /// with a converted row, except for several tokens of float weights, which sum in tinyBLAS's order as llama.cpp's
    /// do (<see cref="FloatTile"/>). Results do not depend on the thread count, nor, within those two orders, on the
    /// token count. Not reentrant for one pool: see <see cref="ComputePool"/>.
    /// </remarks>
    public static unsafe void Multiply(ComputePool pool, in WeightMatrix w, ReadOnlySpan<float> input, int tokens, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (w.Data == null && w.Rows > 0) throw new ArgumentException("the weight matrix has no data", nameof(w));
        if (!GgmlTypeInfo.IsSupported(w.Type) || w.Type is GgmlType.Q8_1 or GgmlType.Q8_K)
            throw new NotSupportedException($"matrix products with {w.Type} weights are not supported");
        var inputNeeded = (long)tokens * w.Cols;
        if (input.Length < inputNeeded)
            throw new ArgumentException($"input holds {input.Length} floats, {tokens} tokens x {w.Cols} columns need {inputNeeded}", nameof(input));
        var outputNeeded = (long)tokens * w.Rows;
        if (output.Length < outputNeeded)
            throw new ArgumentException($"output holds {output.Length} floats, {tokens} tokens x {w.Rows} rows need {outputNeeded}", nameof(output));
        if (tokens == 0 || w.Rows == 0) return;

        var activationRowBytes = VecDot.ActivationRowBytes(w.Type, w.Cols);
        fixed (float* x = input)
        fixed (float* y = output)
        {
            var floatTiles = tokens > 1 && FloatTile.Serves(w.Type, w.Cols);
            var sumsPerToken = w.Interleaved != null && w.Type != GgmlType.Q4_K ? w.Cols / BlockLayout.QK * RowInterleaving.SumsPerBlock : 0;
            var activationBytes = (nuint)activationRowBytes * (nuint)tokens;
            byte* activations;
            int* sums = null;
            if (w.Type == GgmlType.F32)
            {
                activations = (byte*)x;
            }
            else
            {
                var sumsOffset = (activationBytes + 63) & ~(nuint)63;
                activations = pool.Scratch(sumsOffset + (nuint)sumsPerToken * sizeof(int) * (nuint)tokens);
                if (sumsPerToken > 0) sums = (int*)(activations + sumsOffset);
                for (var t = 0; t < tokens; t++)
                {
                    var row = activations + (long)t * activationRowBytes;
                    VecDot.ConvertActivations(w.Type, x + (long)t * w.Cols, row, w.Cols);
                    if (sums != null) RowInterleaving.PrepareActivations(row, w.Cols / BlockLayout.QK, sums + (long)t * sumsPerToken);
                }
            }

            var job = pool.MatMulJob;
            job.Prepare(VecDot.Kernel(w.Type), TileKernel.For(w.Type), w.Data, w.RowBytes, w.Rows, w.Cols, activations, activationRowBytes, tokens, y);
            if (w.Interleaved != null) job.UseInterleaved(w.Type, w.Interleaved, RowInterleaving.GroupBytes(w), sums, sumsPerToken);
            else if (floatTiles) job.UseFloatTiles(w.Type);
            try
            {
                if ((long)w.Rows * w.Cols * tokens < ParallelThreshold || pool.ThreadCount == 1) job.Execute(0, w.Rows);
                else pool.Run(job, w.Rows, ChunkRows(w.Rows, pool.ThreadCount));
            }
            finally
            {
                job.Clear();
            }
        }
    }

    /// <summary>Rows per chunk: whole row blocks, about 4 chunks per thread so uneven progress evens out.</summary>
    private static int ChunkRows(int rows, int threads)
    {
        var perChunk = (rows + 4 * threads - 1) / (4 * threads);
        return Math.Max(MatMulJob.RowBlock, (perChunk + MatMulJob.RowBlock - 1) / MatMulJob.RowBlock * MatMulJob.RowBlock);
    }
}
