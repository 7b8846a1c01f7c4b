using System.Numerics.Tensors;

namespace ChatEngine.Kernels.Ops;

/// <summary>Softmax as ggml computes it: exp(x - max) in float, their sum in double, then a float scale by 1/sum.</summary>
public static class Softmax
{
    /// <summary>Replaces <paramref name="values"/> by their softmax. An empty span is left as is.</summary>
    public static void Apply(Span<float> values)
    {
        if (values.IsEmpty) return;
        var max = TensorPrimitives.Max<float>(values);
        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp<float>(values, values);
        var sum = Reductions.Sum(values);
        TensorPrimitives.Multiply(values, (float)(1.0 / sum), values);
    }
}
