using ChatEngine.Runtime.Sampling;
using Xunit;
using static ChatEngine.Runtime.Tests.Sampling.SamplingTestMath;

namespace ChatEngine.Runtime.Tests.Sampling;

public class TypicalPStageTests
{
    // p = (0.4, 0.3, 0.3): H = -(0.4 ln 0.4 + 0.6 ln 0.3) = 1.0889; |-ln p - H| = 0.1726 for 0.4 and 0.1151 for 0.3,
    // so the two 0.3 tokens are the most typical: the most likely token is the first to go.
    [Theory]
    [InlineData(0.25f, new[] { 1 })]
    [InlineData(0.5f, new[] { 1, 2 })]
    [InlineData(0.65f, new[] { 1, 2, 0 })]
    public void KeepsTheMostTypicalTokensUntilTheirMassExceedsP(float p, int[] expected)
    {
        var list = Loaded(LogitsFor(0.4, 0.3, 0.3));
        new TypicalPStage(p, vocabSize: 3).Apply(list);
        Assert.Equal(expected, Ids(list));
        Assert.False(list.IsSorted && expected.Length > 1);
    }

    // p = (0.1, 0.7, 0.2) by id: H = 0.8018; distances: 0.7 -> 0.4451, 0.2 -> 0.8076, 0.1 -> 1.5008.
    [Theory]
    [InlineData(0.5f, new[] { 1 })]
    [InlineData(0.8f, new[] { 1, 2 })]
    [InlineData(0.95f, new[] { 1, 2, 0 })]
    public void PeakedDistribution_KeepsTheHead(float p, int[] expected)
    {
        var list = Loaded(LogitsFor(0.1, 0.7, 0.2));
        new TypicalPStage(p, vocabSize: 3).Apply(list);
        Assert.Equal(expected, Ids(list));
    }

    [Fact]
    public void MatchesReferenceComputationOnRandomLogits()
    {
        var logits = RandomLogits(300, seed: 17, scale: 3f);
        var probabilities = Softmax(logits);
        double entropy = -probabilities.Sum(q => q * Math.Log(q));
        var byTypicality = Ranked(logits).OrderBy(i => Math.Abs(-Math.Log(probabilities[i]) - entropy)).ToArray();
        double cumulative = 0;
        int expectedCount = byTypicality.TakeWhile(i => (cumulative += probabilities[i]) <= 0.7).Count() + 1;

        var list = Loaded(logits);
        new TypicalPStage(0.7f, vocabSize: 300).Apply(list);

        Assert.InRange(list.Count, expectedCount - 1, expectedCount + 1);
        Assert.Equal(byTypicality.Take(list.Count), Ids(list));
    }

    [Fact]
    public void MinKeep_KeepsAtLeastThatMany()
    {
        var list = Loaded(LogitsFor(0.1, 0.7, 0.2));
        new TypicalPStage(0.5f, vocabSize: 3, minKeep: 2).Apply(list);
        Assert.Equal([1, 2], Ids(list));
    }

    [Fact]
    public void POne_IsANoOp()
    {
        var list = Loaded(LogitsFor(0.4, 0.3, 0.3));
        new TypicalPStage(1f, vocabSize: 3).Apply(list);
        Assert.Equal([0, 1, 2], Ids(list));
    }
}
