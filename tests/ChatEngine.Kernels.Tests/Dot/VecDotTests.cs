using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using Xunit;

namespace ChatEngine.Kernels.Tests.Dot;

public sealed unsafe class VecDotTests
{
    private const int Columns = 1024;
    private const int Trials = 40;

    public static TheoryData<GgmlType> Types() => new(RandomBlocks.WeightTypes);

    [Theory]
    [MemberData(nameof(Types))]
    public void Scalar_kernel_equals_the_float64_dot_of_the_decoded_blocks(GgmlType type)
    {
        var random = new Random(1000 + (int)type);
        for (var trial = 0; trial < Trials; trial++)
        {
            var (weights, activations) = RandomPair(type, random);
            var (expected, magnitude) = ReferenceBlocks.Dot(type, weights, activations, Columns);
            var actual = Run(type, weights, activations, simd: false);
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * magnitude,
                $"{type} trial {trial}: scalar {actual} vs reference {expected} (|w.a| {magnitude})");
        }
    }

    [SimdTheory]
    [MemberData(nameof(Types))]
    public void Avx2_kernel_agrees_with_the_scalar_kernel(GgmlType type)
    {
        var random = new Random(2000 + (int)type);
        for (var trial = 0; trial < Trials; trial++)
        {
            var (weights, activations) = RandomPair(type, random);
            var (_, magnitude) = ReferenceBlocks.Dot(type, weights, activations, Columns);
            var scalar = Run(type, weights, activations, simd: false);
            var simd = Run(type, weights, activations, simd: true);
            Assert.True(Math.Abs(simd - scalar) <= 1e-5 * magnitude, $"{type} trial {trial}: AVX2 {simd} vs scalar {scalar} (|w.a| {magnitude})");
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Public_dot_uses_the_machine_kernel_and_checks_its_buffers(GgmlType type)
    {
        var random = new Random(3000 + (int)type);
        var (weights, activations) = RandomPair(type, random);
        var (expected, magnitude) = ReferenceBlocks.Dot(type, weights, activations, Columns);
        Assert.True(Math.Abs(VecDot.Dot(type, weights, activations, Columns) - expected) <= 1e-5 * magnitude);
        Assert.Throws<ArgumentException>(() => VecDot.Dot(type, weights.AsSpan(1), activations, Columns));
        Assert.Throws<ArgumentException>(() => VecDot.Dot(type, weights, activations.AsSpan(1), Columns));
    }

    [Fact]
    public void Types_without_a_dot_product_are_rejected_by_name()
    {
        var e = Assert.Throws<NotSupportedException>(() => VecDot.ActivationType(GgmlType.Q8_K));
        Assert.Contains("Q8_K", e.Message);
    }

    [Fact]
    public void Activation_types_follow_ggml_vec_dot_type()
    {
        Assert.Equal(GgmlType.Q8_0, VecDot.ActivationType(GgmlType.Q4_0));
        Assert.Equal(GgmlType.Q8_0, VecDot.ActivationType(GgmlType.Q5_0));
        Assert.Equal(GgmlType.Q8_0, VecDot.ActivationType(GgmlType.Q8_0));
        Assert.Equal(GgmlType.Q8_1, VecDot.ActivationType(GgmlType.Q4_1));
        Assert.Equal(GgmlType.Q8_1, VecDot.ActivationType(GgmlType.Q5_1));
        foreach (var k in new[] { GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K })
            Assert.Equal(GgmlType.Q8_K, VecDot.ActivationType(k));
        Assert.Equal(GgmlType.F16, VecDot.ActivationType(GgmlType.F16));
        Assert.Equal(GgmlType.BF16, VecDot.ActivationType(GgmlType.BF16));
    }

    private static (byte[] Weights, byte[] Activations) RandomPair(GgmlType type, Random random)
    {
        var weights = RandomBlocks.Row(type, Columns, random);
        var activations = new byte[VecDot.ActivationRowBytes(type, Columns)];
        VecDot.ConvertActivations(type, RandomBlocks.Activations(Columns, random), activations);
        return (weights, activations);
    }

    private static float Run(GgmlType type, byte[] weights, byte[] activations, bool simd)
    {
        fixed (byte* w = weights) fixed (byte* a = activations) return VecDot.Kernel(type, simd)(w, a, Columns);
    }
}
