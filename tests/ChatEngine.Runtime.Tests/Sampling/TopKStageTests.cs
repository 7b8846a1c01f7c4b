using ChatEngine.Runtime.Sampling;
using Xunit;
using static ChatEngine.Runtime.Tests.Sampling.SamplingTestMath;

namespace ChatEngine.Runtime.Tests.Sampling;

public class TopKStageTests
{
    [Fact]
    public void KeepsTheKLargestSortedWithTiesTowardLowerIds()
    {
        var list = Loaded(0.5f, 3f, -1f, 3f, 2f, 0.5f);
        new TopKStage(3).Apply(list);
        Assert.Equal([1, 3, 4], Ids(list));
        Assert.True(list.IsSorted);

        var tie = Loaded(0.5f, 3f, -1f, 3f, 2f, 0.5f);
        new TopKStage(5).Apply(tie);
        Assert.Equal([1, 3, 4, 0, 5], Ids(tie));
    }

    [Fact]
    public void ZeroOrLargeK_LeavesTheListUntouched()
    {
        foreach (int k in new[] { 0, 6, 100 })
        {
            var list = Loaded(0.5f, 3f, -1f, 3f, 2f, 0.5f);
            new TopKStage(k).Apply(list);
            Assert.Equal([0, 1, 2, 3, 4, 5], Ids(list));
        }
    }

    [Fact]
    public void LargeVocabulary_MatchesAFullSort()
    {
        var logits = RandomLogits(150_000, seed: 11);
        var list = Loaded(logits);
        new TopKStage(40).Apply(list);
        Assert.Equal(Ranked(logits).Take(40), Ids(list));
    }

    [Fact]
    public void NegativeK_IsRejected() => Assert.Throws<ArgumentOutOfRangeException>(() => new TopKStage(-1));
}
