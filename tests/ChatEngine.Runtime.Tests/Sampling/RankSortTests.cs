using ChatEngine.Runtime.Sampling;
using Xunit;

namespace ChatEngine.Runtime.Tests.Sampling;

public class RankSortTests
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

        RankSort.SelectTop(items.AsSpan(), k, default(ByLogitDescending));

        Assert.Equal(SamplingTestMath.Ranked(logits).Take(k), items.Take(k).Select(c => c.Id));
        Assert.Equal(Enumerable.Range(0, n), items.Select(c => c.Id).Order()); // a permutation: nothing lost
    }

    [Theory]
    [InlineData("random", 100_000)]
    [InlineData("ascending", 5000)]
    [InlineData("descending", 5000)]
    [InlineData("all equal", 5000)]
    [InlineData("organ pipe", 5001)]
    [InlineData("random", 17)]
    [InlineData("random", 2)]
    public void Sort_MatchesReferenceOrder(string shape, int n)
    {
        var random = new Random(n);
        float[] logits = shape switch
        {
            "ascending" => Enumerable.Range(0, n).Select(i => (float)i).ToArray(),
            "descending" => Enumerable.Range(0, n).Select(i => (float)-i).ToArray(),
            "all equal" => new float[n],
            "organ pipe" => Enumerable.Range(0, n).Select(i => (float)Math.Min(i, n - i)).ToArray(),
            _ => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray(),
        };
        var items = logits.Select((l, i) => new TokenCandidate(i, l, 0)).ToArray();

        RankSort.Sort(items.AsSpan(), default(ByLogitDescending));

        Assert.Equal(SamplingTestMath.Ranked(logits), items.Select(c => c.Id));
    }

    [Fact]
    public void NegativeK_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            RankSort.SelectTop(new TokenCandidate[3].AsSpan(), -1, default(ByLogitDescending)));
}
