using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Ops;

/// <summary>Sums accumulated in double over float terms, as ggml does (ggml_float) for norms and softmax.</summary>
internal static class Reductions
{
    /// <summary>sum of (double)(x[i] * x[i]) with the square rounded to float first.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        ref var start = ref MemoryMarshal.GetReference(x);
        Vector256<double> acc0 = default, acc1 = default;
        var i = 0;
        for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref start, (nuint)i);
            var (lower, upper) = Vector256.Widen(v * v);
            acc0 += lower;
            acc1 += upper;
        }
        var sum = Vector256.Sum(acc0 + acc1);
        for (; i < x.Length; i++) sum += x[i] * x[i];
        return sum;
    }

    /// <summary>sum of (double)x[i].</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        ref var start = ref MemoryMarshal.GetReference(x);
        Vector256<double> acc0 = default, acc1 = default;
        var i = 0;
        for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
        {
            var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
            acc0 += lower;
            acc1 += upper;
        }
        var sum = Vector256.Sum(acc0 + acc1);
        for (; i < x.Length; i++) sum += x[i];
        return sum;
    }
}
