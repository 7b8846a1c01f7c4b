using ChatEngine.Kernels.Ops;
using ChatEngine.Kernels.Tests.Dot;
using Xunit;
using static ChatEngine.Kernels.Tests.Ops.OpsTestData;

namespace ChatEngine.Kernels.Tests.Ops;

public sealed class F16AttentionTests
{
    /// <summary>Values as an F16 cache holds them, widened back to floats.</summary>
    private static float[] ToHalf(float[] values) => values.Select(v => (float)(Half)v).ToArray();

    [Theory]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(80)]
    [InlineData(128)]
    public void Dot_matches_the_float64_dot_of_the_half_values(int length)
    {
        var q = Gaussian(length, seed: length).Select(v => (float)(Half)v).ToArray();
        var k = ToHalf(Gaussian(length, seed: length + 1));
        var expected = 0.0;
        for (var i = 0; i < length; i++) expected += q[i] * (double)(float)k[i];
        Assert.True(Math.Abs(F16Attention.Dot(q, k) - expected) <= 1e-5 * length, $"{F16Attention.Dot(q, k)} vs {expected}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(300)]
    public void Softmax_matches_the_float64_softmax(int length)
    {
        var x = Gaussian(length, seed: length, scale: 4f);
        var values = (float[])x.Clone();
        F16Attention.Softmax(values);
        var max = x.Max();
        var sum = x.Sum(v => Math.Exp(v - max));
        for (var i = 0; i < length; i++) AssertClose(Math.Exp(x[i] - max) / sum, values[i], 1e-5, $"element {i}");
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(5, false)]
    [InlineData(40, true)]
    [InlineData(40, false)]
    [InlineData(200, true)]
    public void Weighted_sum_matches_float64_in_both_orders(int positions, bool singleToken)
    {
        const int width = 16, stride = 48;
        var weights = Gaussian(positions, seed: positions).Select(v => (float)(Half)Math.Abs(v)).ToArray();
        var values = ToHalf(Gaussian(positions * stride, seed: positions + 3));
        var output = new float[width];
        F16Attention.WeightedSum(weights, values, stride, output, new float[F16Attention.MaxLanes * width], singleToken);
        for (var d = 0; d < width; d++)
        {
            var expected = 0.0;
            for (var p = 0; p < positions; p++) expected += weights[p] * (double)(float)values[p * stride + d];
            Assert.True(Math.Abs(output[d] - expected) <= 1e-5 * positions, $"dimension {d}: {output[d]} vs {expected}");
        }
    }

    [SimdTheory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(128)]
    public void Simd_dot_is_bitwise_the_scalar_reference(int length)
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var q = Gaussian(length, seed: seed).Select(v => (float)(Half)v).ToArray();
            var k = ToHalf(Gaussian(length, seed: seed + 100, scale: 3f));
            Assert.Equal(BitConverter.SingleToInt32Bits(F16Attention.DotScalar(q, k)), BitConverter.SingleToInt32Bits(F16Attention.DotSimd(q, k)));
        }
    }

    [SimdTheory]
    [InlineData(1, true)]
    [InlineData(37, true)]
    [InlineData(37, false)]
    [InlineData(300, true)]
    [InlineData(300, false)]
    public void Simd_weighted_sum_is_bitwise_the_scalar_reference(int positions, bool singleToken)
    {
        const int width = 64, stride = 256;
        var weights = Gaussian(positions, seed: positions).Select(v => (float)(Half)Math.Abs(v)).ToArray();
        var values = ToHalf(Gaussian(positions * stride, seed: positions + 7));
        var scalar = new float[width];
        var simd = new float[width];
        F16Attention.WeightedSumScalar(weights, values, stride, scalar, new float[F16Attention.MaxLanes * width], singleToken);
        F16Attention.WeightedSumSimd(weights, values, stride, simd, new float[F16Attention.MaxLanes * width], singleToken);
        Assert.Equal(scalar.Select(BitConverter.SingleToInt32Bits), simd.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Widen_copies_each_row_of_a_strided_half_cache_as_floats()
    {
        var cache = Gaussian(5 * 24, seed: 3).Select(v => (Half)v).ToArray();
        var rows = new float[4 * 8];
        F16Attention.Widen(cache.AsSpan(16), 24, 8, 4, rows);
        for (var r = 0; r < 4; r++)
            for (var d = 0; d < 8; d++) Assert.Equal((float)cache[16 + r * 24 + d], rows[r * 8 + d]);
        Assert.Throws<ArgumentException>(() => F16Attention.Widen(cache.AsSpan(16), 24, 8, 6, new float[6 * 8]));
    }

    [Theory]
    [InlineData(64, 1)]
    [InlineData(64, 37)]
    [InlineData(96, 300)]
    [InlineData(40, 9)]
    public void Scores_are_bitwise_the_scaled_dot_of_each_key(int headSize, int keys)
    {
        const float scale = 0.125f;
        var stride = headSize * 3;
        var q = Gaussian(headSize, seed: keys).Select(v => (float)(Half)v).ToArray();
        var cache = ToHalf(Gaussian((keys - 1) * stride + headSize, seed: keys + 5, scale: 2f));
        var scores = new float[keys];
        F16Attention.Scores(q, cache, stride, scale, scores);
        for (var i = 0; i < keys; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(F16Attention.Dot(q, cache.AsSpan(i * stride, headSize)) * scale), BitConverter.SingleToInt32Bits(scores[i]));
    }

    [SimdTheory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(300)]
    public void Simd_softmax_is_bitwise_the_scalar_reference(int length)
    {
        for (var seed = 0; seed < 10; seed++)
        {
            var scalar = Gaussian(length, seed: seed, scale: 6f);
            var simd = scalar.ToArray();
            F16Attention.SoftmaxScalar(scalar);
            F16Attention.SoftmaxSimd(simd);
            Assert.Equal(scalar.Select(BitConverter.SingleToInt32Bits), simd.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Weighted_sum_rejects_short_scratch()
    {
        Assert.Throws<ArgumentException>(() =>
            F16Attention.WeightedSum(new float[4], new float[64], 16, new float[16], new float[16], singleToken: true));
    }
}
