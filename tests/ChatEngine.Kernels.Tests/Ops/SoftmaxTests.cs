using ChatEngine.Kernels.Ops;
using Xunit;
using static ChatEngine.Kernels.Tests.Ops.OpsTestData;

namespace ChatEngine.Kernels.Tests.Ops;

public sealed class SoftmaxTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(512)]
    [InlineData(50257)]
    public void Matches_the_float64_softmax_and_sums_to_one(int length)
    {
        var x = Gaussian(length, seed: length, scale: 5f);
        var values = (float[])x.Clone();
        Softmax.Apply(values);
        var max = x.Max();
        var sum = x.Sum(v => Math.Exp(v - max));
        for (var i = 0; i < length; i++) AssertClose(Math.Exp(x[i] - max) / sum, values[i], 1e-5, $"element {i}");
        Assert.Equal(1.0, values.Sum(v => (double)v), 4);
    }

    [Fact]
    public void Large_logits_do_not_overflow()
    {
        float[] values = [1000f, 999f, -1000f];
        Softmax.Apply(values);
        AssertClose(1 / (1 + Math.Exp(-1)), values[0], 1e-6, "largest");
        AssertClose(Math.Exp(-1) / (1 + Math.Exp(-1)), values[1], 1e-6, "second");
        Assert.Equal(0f, values[2]);
    }
}
