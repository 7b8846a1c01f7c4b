using ChatEngine.Kernels.Ops;
using Xunit;
using static ChatEngine.Kernels.Tests.Ops.OpsTestData;

namespace ChatEngine.Kernels.Tests.Ops;

public sealed class RmsNormTests
{
    [Theory]
    [InlineData(256, 1e-5f)]
    [InlineData(131, 1e-6f)]
    [InlineData(4096, 1e-5f)]
    public void Matches_x_times_weight_over_root_mean_square_in_float64(int length, float epsilon)
    {
        var x = Gaussian(length, seed: length, scale: 3f);
        var weight = Gaussian(length, seed: length + 1);
        var output = new float[length];
        RmsNorm.Apply(x, weight, epsilon, output);
        var mean = x.Sum(v => (double)v * v) / length;
        var scale = 1 / Math.Sqrt(mean + epsilon);
        for (var i = 0; i < length; i++) AssertClose(x[i] * scale * weight[i], output[i], 1e-6, $"element {i}");
    }

    [Fact]
    public void Works_in_place_and_epsilon_keeps_a_zero_vector_finite()
    {
        var x = Gaussian(64, seed: 3);
        var expected = new float[64];
        var weight = Enumerable.Repeat(1f, 64).ToArray();
        RmsNorm.Apply(x, weight, 1e-5f, expected);
        RmsNorm.Apply(x, weight, 1e-5f, x);
        Assert.Equal(expected, x);
        var zeros = new float[8];
        RmsNorm.Normalize(zeros, 1e-5f, zeros);
        Assert.All(zeros, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => RmsNorm.Apply(new float[4], new float[3], 1e-5f, new float[4]));
        Assert.Throws<ArgumentException>(() => RmsNorm.Apply(new float[4], new float[4], 1e-5f, new float[3]));
        Assert.Throws<ArgumentException>(() => RmsNorm.Normalize([], 1e-5f, new float[1]));
    }
}
