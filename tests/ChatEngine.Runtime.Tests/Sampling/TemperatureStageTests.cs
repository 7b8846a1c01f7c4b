using ChatEngine.Runtime.Sampling;
using Xunit;
using static ChatEngine.Runtime.Tests.Sampling.SamplingTestMath;

namespace ChatEngine.Runtime.Tests.Sampling;

public class TemperatureStageTests
{
    [Fact]
    public void DividesLogitsByTheTemperature()
    {
        var list = Loaded(1f, -2f, 0.5f, float.NegativeInfinity);
        new TemperatureStage(0.5f).Apply(list);
        Assert.Equal([2f, -4f, 1f, float.NegativeInfinity], list.Items.ToArray().Select(c => c.Logit));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void NonPositiveTemperature_IsRejected(float t) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureStage(t));
}
