using ChatEngine.Runtime.Sampling;
using Xunit;
using static ChatEngine.Runtime.Tests.Sampling.SamplingTestMath;

namespace ChatEngine.Runtime.Tests.Sampling;

public class TopPStageTests
{
    // probabilities 0.5, 0.3, 0.15, 0.05 given in scrambled id order; cumulative by rank: 0.5, 0.8, 0.95, 1.0
    private static readonly float[] Logits = LogitsFor(0.15, 0.5, 0.05, 0.3);

    [Theory]
    [InlineData(0.3f, new[] { 1 })]
    [InlineData(0.49f, new[] { 1 })]
    [InlineData(0.51f, new[] { 1, 3 })]
    [InlineData(0.79f, new[] { 1, 3 })]
    [InlineData(0.81f, new[] { 1, 3, 0 })]
    [InlineData(0.94f, new[] { 1, 3, 0 })]
    [InlineData(0.96f, new[] { 1, 3, 0, 2 })]
    public void KeepsTheSmallestPrefixReachingP(float p, int[] expected)
    {
        var list = Loaded(Logits);
        new TopPStage(p).Apply(list);
        Assert.Equal(expected, Ids(list));
        Assert.Equal(new[] { 0.5f, 0.3f, 0.15f, 0.05f }.Take(expected.Length), list.Items.ToArray().Select(c => c.Probability), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void MinKeep_KeepsAtLeastThatMany()
    {
        var list = Loaded(Logits);
        new TopPStage(0.3f, minKeep: 3).Apply(list);
        Assert.Equal([1, 3, 0], Ids(list));
    }

    [Fact]
    public void POne_IsANoOp()
    {
        var list = Loaded(Logits);
        new TopPStage(1f).Apply(list);
        Assert.Equal([0, 1, 2, 3], Ids(list));
    }

    // More than 1024 unsorted candidates take the partial-ranking path; a flat distribution needs more than its
    // first 256 ranks, which exercises the fallback to a full sort.
    [Theory]
    [InlineData(0.2f, 0.5f)]
    [InlineData(9f, 0.9f)]
    [InlineData(0.5f, 0.999f)]
    public void LargeList_MatchesReferencePrefix(float logitScale, float p)
    {
        var logits = RandomLogits(5000, seed: 5, scale: logitScale);
        var probabilities = Softmax(logits);
        var ranked = Ranked(logits);
        double cumulative = 0;
        int expectedCount = ranked.TakeWhile(i => (cumulative += probabilities[i]) < p).Count() + 1;

        var list = Loaded(logits);
        new TopPStage(p).Apply(list);

        // Float accumulation may differ from the double reference by one token right at the boundary.
        Assert.InRange(list.Count, expectedCount - 1, expectedCount + 1);
        Assert.Equal(ranked.Take(list.Count), Ids(list));
        Assert.True(list.IsSorted);
    }

    [Fact]
    public void OutOfRangeP_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopPStage(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopPStage(1.5f));
    }
}

internal sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(float obj) => 0;
}
