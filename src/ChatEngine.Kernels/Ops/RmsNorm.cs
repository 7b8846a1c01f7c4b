using System.Numerics.Tensors;

namespace ChatEngine.Kernels.Ops;

/// <summary>
/// RMS normalization as ggml computes it (ggml_rms_norm followed by ggml_mul with the weight):
/// mean = (float)(sum of squares in double / n); y = x * (1 / sqrtf(mean + eps)); out = y * weight, all in float.
/// </summary>
public static class RmsNorm
{
    /// <summary>output = x / rms(x) * weight. <paramref name="output"/> may be <paramref name="x"/> itself.</summary>
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float epsilon, Span<float> output)
    {
        if (weight.Length != x.Length)
            throw new ArgumentException($"weight has {weight.Length} elements, x has {x.Length}", nameof(weight));
        Normalize(x, epsilon, output);
        TensorPrimitives.Multiply(output[..x.Length], weight, output);
    }

    /// <summary>output = x / rms(x), without a weight. <paramref name="output"/> may be <paramref name="x"/> itself.</summary>
    public static void Normalize(ReadOnlySpan<float> x, float epsilon, Span<float> output)
    {
        if (x.IsEmpty) throw new ArgumentException("cannot normalize an empty vector", nameof(x));
        if (output.Length < x.Length)
            throw new ArgumentException($"output has {output.Length} elements, x has {x.Length}", nameof(output));
        var mean = (float)(Reductions.SumOfSquares(x) / x.Length);
        var scale = 1f / MathF.Sqrt(mean + epsilon);
        TensorPrimitives.Multiply(x, scale, output);
    }
}
