using ChatEngine.Runtime.Sampling;
using Xunit;

namespace ChatEngine.Runtime.Tests.Sampling;

public class HeapSelectionTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(10, 3)]
    [InlineData(10, 10)]
    [InlineData(1000, 1)]
    [InlineData(1000, 40)]
    [InlineData(1000, 999)]
    [InlineData(5000, 5000)]
    public void SelectTop_GivesTheKBestInRankOrder(int n, int k)
    {
        // Few distinct values so that ties (broken by lower id) are common.
        var random = new Random(n * 31 + k);
        var logits = Enumerable.Range(0, n).Select(_ => (float)random.Next(-20, 20) / 4).ToArray();
        var items = logits.Select((l, i) => new TokenCandidate(i, l, 0)).ToArray();
        random.Shuffle(items);

        HeapSelection.SelectTop(items.AsSpan(), k, default(ByLogitDescending));

        Assert.Equal(SamplingTestMath.Ranked(logits).Take(k), items.Take(k).Select(c => c.Id));
        Assert.Equal(Enumerable.Range(0, n), items.Select(c => c.Id).Order()); // a permutation: nothing lost
    }

    [Fact]
    public void NegativeK_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            HeapSelection.SelectTop(new TokenCandidate[3].AsSpan(), -1, default(ByLogitDescending)));
}
