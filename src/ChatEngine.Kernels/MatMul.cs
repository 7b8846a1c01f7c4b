namespace ChatEngine.Kernels;

/// <summary>Matrix products of a <see cref="WeightMatrix"/> with float activations. (Skeleton: F32 only, scalar.)</summary>
public static class MatMul
{
    /// <summary>
    /// For each of <paramref name="tokens"/> input rows x_t (length w.Cols, consecutive in <paramref name="input"/>),
    /// writes y_t[r] = dot(W row r, x_t) to <paramref name="output"/> at t * w.Rows + r.
    /// </summary>
    public static unsafe void Multiply(ComputePool pool, in WeightMatrix w, ReadOnlySpan<float> input, int tokens, Span<float> output)
    {
        if (w.Type != Gguf.GgmlType.F32) throw new NotSupportedException(w.Type.ToString());
        for (var t = 0; t < tokens; t++)
        {
            var x = input.Slice(t * w.Cols, w.Cols);
            for (var r = 0; r < w.Rows; r++)
            {
                var row = new ReadOnlySpan<float>(w.Data + (long)r * w.RowBytes, w.Cols);
                output[t * w.Rows + r] = System.Numerics.Tensors.TensorPrimitives.Dot(row, x);
            }
        }
    }
}
