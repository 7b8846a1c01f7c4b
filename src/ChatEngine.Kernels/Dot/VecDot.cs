using ChatEngine.Gguf;
using ChatEngine.Kernels.Ops;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Row dot products the way ggml's CPU backend computes them: the activation row is first converted to the weight
/// type's "vec_dot_type" (<see cref="ActivationType"/>), then each weight row is multiplied with it block by block
/// in integer arithmetic and scaled by the block scales.
/// </summary>
public static unsafe class VecDot
{
    /// <summary>The type activations are converted to before they meet weights of <paramref name="weightType"/>.</summary>
    public static GgmlType ActivationType(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => GgmlType.F32,
        GgmlType.F16 => GgmlType.F16,
        GgmlType.BF16 => GgmlType.BF16,
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => GgmlType.Q8_0,
        GgmlType.Q4_1 or GgmlType.Q5_1 => GgmlType.Q8_1,
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K => GgmlType.Q8_K,
        _ => throw NoKernel(weightType),
    };

    /// <summary>
    /// Bytes of one converted activation row of <paramref name="count"/> elements. F16 / BF16 activations are kept as
    /// floats holding the rounded values (4 bytes each).
    /// </summary>
    public static int ActivationRowBytes(GgmlType weightType, int count)
    {
        var type = ActivationType(weightType);
        return type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16
            ? checked(count * sizeof(float))
            : checked((int)GgmlTypeInfo.RowBytes(type, count));
    }

    /// <summary>Converts one activation row for weights of <paramref name="weightType"/>.</summary>
    public static void ConvertActivations(GgmlType weightType, ReadOnlySpan<float> input, Span<byte> destination)
    {
        var bytes = ActivationRowBytes(weightType, input.Length);
        if (destination.Length < bytes)
            throw new ArgumentException($"destination holds {destination.Length} bytes, the converted row needs {bytes}", nameof(destination));
        fixed (float* x = input) fixed (byte* y = destination) ConvertActivations(weightType, x, y, input.Length);
    }

    /// <summary>dot(weight row, activation row) of <paramref name="count"/> elements.</summary>
    /// <param name="weightRow">A row of <paramref name="weightType"/> blocks.</param>
    /// <param name="activationRow">A row converted by <see cref="ConvertActivations(GgmlType, ReadOnlySpan{float}, Span{byte})"/>.</param>
    public static float Dot(GgmlType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int count)
    {
        var weightBytes = GgmlTypeInfo.RowBytes(weightType, count);
        if (weightRow.Length < weightBytes)
            throw new ArgumentException($"a {weightType} row of {count} elements needs {weightBytes} bytes, got {weightRow.Length}", nameof(weightRow));
        var activationBytes = ActivationRowBytes(weightType, count);
        if (activationRow.Length < activationBytes)
            throw new ArgumentException($"the converted activation row needs {activationBytes} bytes, got {activationRow.Length}", nameof(activationRow));
        fixed (byte* w = weightRow) fixed (byte* a = activationRow) return Kernel(weightType)(w, a, count);
    }

    internal static void ConvertActivations(GgmlType weightType, float* x, byte* y, int count)
    {
        switch (ActivationType(weightType))
        {
            case GgmlType.F32: new ReadOnlySpan<float>(x, count).CopyTo(new Span<float>(y, count)); break;
            case GgmlType.F16: HalfRounding.Round(new ReadOnlySpan<float>(x, count), new Span<float>(y, count)); break;
            case GgmlType.BF16: ActivationQuantizer.RoundToBFloat16(x, (float*)y, count); break;
            case GgmlType.Q8_0 when KernelIsa.Avx2Active: SimdActivationQuantizer.QuantizeQ8_0(x, y, count); break;
            case GgmlType.Q8_0: ActivationQuantizer.QuantizeQ8_0(x, y, count); break;
            case GgmlType.Q8_1: ActivationQuantizer.QuantizeQ8_1(x, y, count); break;
            case GgmlType.Q8_K when KernelIsa.Avx2Active: SimdActivationQuantizer.QuantizeQ8_K(x, y, count); break;
            default: ActivationQuantizer.QuantizeQ8_K(x, y, count); break;
        }
    }

    /// <summary>The kernel MatMul uses: the one of <see cref="KernelIsa.Active"/>.</summary>
    internal static delegate*<byte*, byte*, int, float> Kernel(GgmlType weightType) => Kernel(weightType, KernelIsa.Active);

    /// <summary>
    /// The kernel of <paramref name="path"/>; its AVX-512 kernels give bitwise the AVX2 kernels' results (the same
    /// integer sums in the same lanes before the same float steps), so types without one use the AVX2 kernel.
    /// </summary>
    internal static delegate*<byte*, byte*, int, float> Kernel(GgmlType weightType, KernelPath path) => path switch
    {
        KernelPath.Scalar => ScalarKernel(weightType),
        KernelPath.Avx512 when weightType == GgmlType.Q8_0 => &Q8_0Dot.Avx512,
        KernelPath.Avx512 when weightType == GgmlType.Q4_0 => &Q4_0Dot.Avx512,
        KernelPath.Avx512 when weightType == GgmlType.Q6_K => &Q6_KDot.Avx512,
        _ => Avx2Kernel(weightType),
    };

    private static delegate*<byte*, byte*, int, float> ScalarKernel(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => &FloatDot.F32Scalar,
        GgmlType.F16 => &FloatDot.F16Scalar,
        GgmlType.BF16 => &FloatDot.BF16Scalar,
        GgmlType.Q4_0 => &Q4_0Dot.Scalar,
        GgmlType.Q4_1 => &Q4_1Dot.Scalar,
        GgmlType.Q5_0 => &Q5_0Dot.Scalar,
        GgmlType.Q5_1 => &Q5_1Dot.Scalar,
        GgmlType.Q8_0 => &Q8_0Dot.Scalar,
        GgmlType.Q2_K => &Q2_KDot.Scalar,
        GgmlType.Q3_K => &Q3_KDot.Scalar,
        GgmlType.Q4_K => &Q4_KDot.Scalar,
        GgmlType.Q5_K => &Q5_KDot.Scalar,
        GgmlType.Q6_K => &Q6_KDot.Scalar,
        _ => throw NoKernel(weightType),
    };

    private static delegate*<byte*, byte*, int, float> Avx2Kernel(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => &FloatDot.F32Simd,
        GgmlType.F16 => &FloatDot.F16Simd,
        GgmlType.BF16 => &FloatDot.BF16Simd,
        GgmlType.Q4_0 => &Q4_0Dot.Simd,
        GgmlType.Q4_1 => &Q4_1Dot.Simd,
        GgmlType.Q5_0 => &Q5_0Dot.Simd,
        GgmlType.Q5_1 => &Q5_1Dot.Simd,
        GgmlType.Q8_0 => &Q8_0Dot.Simd,
        GgmlType.Q2_K => &Q2_KDot.Simd,
        GgmlType.Q3_K => &Q3_KDot.Simd,
        GgmlType.Q4_K => &Q4_KDot.Simd,
        GgmlType.Q5_K => &Q5_KDot.Simd,
        GgmlType.Q6_K => &Q6_KDot.Simd,
        _ => throw NoKernel(weightType),
    };

    private static NotSupportedException NoKernel(GgmlType weightType) => new($"no dot product for weights of type {weightType}");
}
