using System.Numerics.Tensors;

namespace ChatEngine.Kernels.Ops;

/// <summary>Element-wise vector arithmetic (the residual connections).</summary>
public static class VectorOps
{
    /// <summary>destination = a + b. <paramref name="destination"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        if (b.Length != a.Length) throw new ArgumentException($"b has {b.Length} elements, a has {a.Length}", nameof(b));
        if (destination.Length < a.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, a has {a.Length}", nameof(destination));
        TensorPrimitives.Add(a, b, destination[..a.Length]);
    }

    /// <summary>accumulator += x.</summary>
    public static void AddInPlace(Span<float> accumulator, ReadOnlySpan<float> x) => Add(accumulator, x, accumulator);
}
