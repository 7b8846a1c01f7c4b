using ChatEngine.Kernels.Ops;

namespace ChatEngine.Training.Layers;

/// <summary>
/// RMSNorm with a frozen weight over rows of a token matrix: y = x · r · w with r = 1 / sqrt(mean(x²) + eps).
/// Forward uses the Kernels op; backward: dx = r (w ∘ dy) − x r³ / n · Σ(x ∘ w ∘ dy).
/// </summary>
internal static class RmsNormLayer
{
    public static void Forward(float[] x, int tokens, float[] weight, float epsilon, float[] y)
    {
        var n = weight.Length;
        for (var t = 0; t < tokens; t++) RmsNorm.Apply(x.AsSpan(t * n, n), weight, epsilon, y.AsSpan(t * n, n));
    }

    /// <summary>Adds the gradient with respect to x into <paramref name="dx"/>.</summary>
    public static void Backward(float[] x, int tokens, float[] weight, float epsilon, float[] dy, float[] dx)
    {
        var n = weight.Length;
        for (var t = 0; t < tokens; t++)
        {
            var row = x.AsSpan(t * n, n);
            var sumSquares = 0.0;
            var projection = 0.0;
            for (var i = 0; i < n; i++)
            {
                sumSquares += (double)row[i] * row[i];
                projection += (double)row[i] * weight[i] * dy[t * n + i];
            }
            var r = 1 / Math.Sqrt(sumSquares / n + epsilon);
            var correction = (float)(projection * r * r * r / n);
            for (var i = 0; i < n; i++) dx[t * n + i] += (float)r * weight[i] * dy[t * n + i] - row[i] * correction;
        }
    }
}
