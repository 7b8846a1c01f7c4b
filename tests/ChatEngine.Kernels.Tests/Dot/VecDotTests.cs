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
            var actual = Run(type, weights, activations, KernelPath.Scalar);
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
            var scalar = Run(type, weights, activations, KernelPath.Scalar);
            var simd = Run(type, weights, activations, KernelPath.Avx2);
            Assert.True(Math.Abs(simd - scalar) <= 1e-5 * magnitude, $"{type} trial {trial}: AVX2 {simd} vs scalar {scalar} (|w.a| {magnitude})");
        }
    }

    public static TheoryData<GgmlType, int> Avx512Cases()
    {
        var cases = new TheoryData<GgmlType, int>();
        foreach (var type in RandomBlocks.WeightTypes)
        {
            var blockElements = GgmlTypeInfo.BlockSize(type);
            foreach (var blocks in new[] { 1, 2, 3, 7, 32 }) cases.Add(type, blocks * blockElements);
        }
        return cases;
    }

    [Avx512Theory]
    [MemberData(nameof(Avx512Cases))]
    public void Avx512_kernel_is_bitwise_the_avx2_kernel_and_agrees_with_the_scalar_kernel(GgmlType type, int columns)
    {
        var random = new Random(4000 + (int)type + columns);
        for (var trial = 0; trial < Trials; trial++)
        {
            var (weights, activations) = RandomPair(type, random, columns);
            var (_, magnitude) = ReferenceBlocks.Dot(type, weights, activations, columns);
            var scalar = Run(type, weights, activations, KernelPath.Scalar, columns);
            var avx2 = Run(type, weights, activations, KernelPath.Avx2, columns);
            var avx512 = Run(type, weights, activations, KernelPath.Avx512, columns);
            Assert.True(BitConverter.SingleToInt32Bits(avx2) == BitConverter.SingleToInt32Bits(avx512),
                $"{type} x {columns} trial {trial}: AVX-512 {avx512:R} vs AVX2 {avx2:R}");
            Assert.True(Math.Abs(avx512 - scalar) <= 1e-5 * magnitude, $"{type} x {columns} trial {trial}: AVX-512 {avx512} vs scalar {scalar} (|w.a| {magnitude})");
        }
    }

    [Avx512Fact]
    public void Avx512_kernels_are_bitwise_the_avx2_kernels_on_extreme_quants()
    {
        foreach (var type in new[] { GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q6_K })
        {
            var columns = 3 * GgmlTypeInfo.BlockSize(type);
            var weights = RandomBlocks.Row(type, columns, new Random(5000 + (int)type));
            foreach (var field in QuantBytes(type, columns)) weights[field] = 0x80;
            var activations = new byte[VecDot.ActivationRowBytes(type, columns)];
            VecDot.ConvertActivations(type, Enumerable.Range(0, columns).Select(i => i % 3 == 0 ? -1000f : 1000f).ToArray(), activations);
            var avx2 = Run(type, weights, activations, KernelPath.Avx2, columns);
            var avx512 = Run(type, weights, activations, KernelPath.Avx512, columns);
            Assert.True(BitConverter.SingleToInt32Bits(avx2) == BitConverter.SingleToInt32Bits(avx512), $"{type}: AVX-512 {avx512:R} vs AVX2 {avx2:R}");
            Assert.NotEqual(0f, avx2);
        }
    }

    /// <summary>Offsets of the quant bytes (not scales) of a row: 0x80 there is -128 (Q8_0), nibbles 0 and 8 (Q4_0), 6-bit 0 / 32 (Q6_K).</summary>
    private static IEnumerable<int> QuantBytes(GgmlType type, int columns)
    {
        var blockBytes = GgmlTypeInfo.BlockBytes(type);
        var (start, end) = type switch
        {
            GgmlType.Q8_0 => (2, BlockLayout.Q8_0Bytes),
            GgmlType.Q4_0 => (2, BlockLayout.Q4_0Bytes),
            _ => (0, 192),
        };
        for (var b = 0; b < columns / GgmlTypeInfo.BlockSize(type); b++)
            for (var i = start; i < end; i++) yield return b * blockBytes + i;
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

    private static (byte[] Weights, byte[] Activations) RandomPair(GgmlType type, Random random, int columns = Columns)
    {
        var weights = RandomBlocks.Row(type, columns, random);
        var activations = new byte[VecDot.ActivationRowBytes(type, columns)];
        VecDot.ConvertActivations(type, RandomBlocks.Activations(columns, random), activations);
        return (weights, activations);
    }

    private static float Run(GgmlType type, byte[] weights, byte[] activations, KernelPath path, int columns = Columns)
    {
        fixed (byte* w = weights) fixed (byte* a = activations) return VecDot.Kernel(type, path)(w, a, columns);
    }
}
