using ChatEngine.Runtime.Sampling;
using Xunit;
using static ChatEngine.Runtime.Tests.Sampling.SamplingTestMath;

namespace ChatEngine.Runtime.Tests.Sampling;

public class MinPStageTests
{
    // Relative to the most likely token (id 2): 0.5, 0.1, 1, 0.04, 0.2
    private static readonly float[] Logits = LogitsFor(0.5, 0.1, 1, 0.04, 0.2);

    [Theory]
    [InlineData(0.03f, new[] { 0, 1, 2, 3, 4 })]
    [InlineData(0.05f, new[] { 0, 1, 2, 4 })]
    [InlineData(0.15f, new[] { 0, 2, 4 })]
    [InlineData(0.3f, new[] { 0, 2 })]
    [InlineData(0.6f, new[] { 2 })]
    [InlineData(1f, new[] { 2 })]
    public void KeepsTokensWithAtLeastPTimesTheMaxProbability_InTheirOrder(float p, int[] expected)
    {
        var list = Loaded(Logits);
        new MinPStage(p).Apply(list);
        Assert.Equal(expected, Ids(list));
    }

    [Fact]
    public void OnSortedList_KeepsTheSortedPrefix()
    {
        var list = Loaded(Logits);
        list.Sort();
        new MinPStage(0.15f).Apply(list);
        Assert.Equal([2, 0, 4], Ids(list));
        Assert.True(list.IsSorted);
    }

    [Fact]
    public void MinKeep_ExtendsToTheBestRankedCandidates()
    {
        var list = Loaded(Logits);
        new MinPStage(0.6f, minKeep: 3).Apply(list);
        Assert.Equal([2, 0, 4], Ids(list));
    }

    [Fact]
    public void ZeroP_IsANoOp()
    {
        var list = Loaded(Logits);
        new MinPStage(0f).Apply(list);
        Assert.Equal(5, list.Count);
    }

    [Fact]
    public void OutOfRangeP_IsRejected() => Assert.Throws<ArgumentOutOfRangeException>(() => new MinPStage(1.01f));
}
