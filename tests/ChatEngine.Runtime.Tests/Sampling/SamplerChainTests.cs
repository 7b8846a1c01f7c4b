using ChatEngine.Runtime.Sampling;
using Xunit;
using static ChatEngine.Runtime.Tests.Sampling.SamplingTestMath;

namespace ChatEngine.Runtime.Tests.Sampling;

public class SamplerChainTests
{
    private static readonly SamplingOptions Untruncated =
        new() { Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f, Seed = 1234 };

    [Fact]
    public void DefaultChain_HasLlamaCppOrder()
    {
        var options = SamplingOptions.Default with
        {
            TypicalP = 0.9f, RepeatPenalty = 1.1f, LogitBias = new Dictionary<int, float> { [0] = 1f }, Seed = 1,
        };
        var chain = new SamplerChain(options, 10);
        Assert.Equal(["logit-bias", "penalties", "top-k", "typical", "top-p", "min-p", "temperature"], chain.Stages.Select(s => s.Name));
        Assert.Equal("dist", chain.Selector.Name);
    }

    [Fact]
    public void DisabledStagesAreLeftOut()
    {
        var chain = new SamplerChain(Untruncated, 10);
        Assert.Empty(chain.Stages);
        var greedy = new SamplerChain(SamplingOptions.Greedy with { FrequencyPenalty = 0.5f }, 10);
        Assert.Equal(["penalties"], greedy.Stages.Select(s => s.Name));
        Assert.Equal("greedy", greedy.Selector.Name);
        Assert.Null(greedy.Seed);
    }

    [Fact]
    public void Greedy_IsArgMaxWithTiesTowardLowestId()
    {
        var chain = new SamplerChain(SamplingOptions.Greedy, 6);
        Assert.Equal(3, chain.Sample([0.1f, 2f, -5f, 7f, 6.9f, 1f]));
        Assert.Equal(1, chain.Sample([0.1f, 7f, -5f, 7f, 6.9f, 7f]));
        var top = chain.TopCandidates(5);
        Assert.Equal(1, top.Length);
        Assert.Equal(1, top[0].Id);
        Assert.Equal(1f, top[0].Probability);
    }

    [Fact]
    public void Greedy_SeesBiasAndPenaltiesButNotTruncation()
    {
        var options = SamplingOptions.Greedy with
        {
            RepeatPenalty = 4f, LogitBias = new Dictionary<int, float> { [0] = float.NegativeInfinity },
        };
        var chain = new SamplerChain(options, 4);
        chain.AcceptPrompt([1]);
        // 0 banned; 1 penalised 8 -> 2; so 2 (logit 5) wins over 3 (4.5).
        Assert.Equal(2, chain.Sample([9f, 8f, 5f, 4.5f]));
    }

    [Fact]
    public void PromptTokens_ArePenalisedLikeGeneratedOnes()
    {
        var options = SamplingOptions.Greedy with { PresencePenalty = 2f };
        var chain = new SamplerChain(options, 3);
        float[] logits = [1f, 2f, 1.5f];
        Assert.Equal(1, chain.Sample(logits));
        chain.AcceptPrompt([1]);
        Assert.Equal(2, chain.Sample(logits)); // 2 - 2 = 0 < 1.5
        chain.Accept(2);
        Assert.Equal(0, chain.Sample(logits)); // 1.5 - 2 < 1
        chain.Reset();
        Assert.Equal(1, chain.Sample(logits));
    }

    [Fact]
    public void SameSeed_SameTokens()
    {
        var logits = RandomLogits(1000, seed: 2, scale: 3f);
        var options = SamplingOptions.Default with { Seed = 42, RepeatPenalty = 1.1f, TypicalP = 0.95f };
        Assert.Equal(Run(options, logits, 300), Run(options, logits, 300));
        Assert.NotEqual(Run(options, logits, 300), Run(options with { Seed = 43 }, logits, 300));
    }

    [Fact]
    public void Reset_RestartsTheRandomStream()
    {
        var logits = RandomLogits(100, seed: 4);
        var chain = new SamplerChain(Untruncated, 100);
        var first = Enumerable.Range(0, 50).Select(_ => chain.Sample(logits)).ToArray();
        chain.Reset();
        Assert.Equal(first, Enumerable.Range(0, 50).Select(_ => chain.Sample(logits)).ToArray());
    }

    [Fact]
    public void NullSeed_PicksOneAndReportsIt()
    {
        var chain = new SamplerChain(SamplingOptions.Default, 10);
        Assert.NotNull(chain.Seed);
        var logits = RandomLogits(10, seed: 8);
        var replay = new SamplerChain(SamplingOptions.Default with { Seed = chain.Seed }, 10);
        Assert.Equal(Enumerable.Range(0, 30).Select(_ => replay.Sample(logits)), Enumerable.Range(0, 30).Select(_ => chain.Sample(logits)));
    }

    // With temperature 1 and no truncation the draw must follow softmax(logits). Pearson's chi-square over 8
    // categories has 7 degrees of freedom; 24.32 is its 0.999 quantile.
    [Theory]
    [InlineData(1f)]
    [InlineData(0.5f)]
    [InlineData(2f)]
    public void EmpiricalFrequencies_MatchSoftmax(float temperature)
    {
        float[] logits = [1.2f, 0.3f, -0.5f, 2.0f, 0.0f, -1.5f, 1.0f, 0.8f];
        var expected = Softmax(logits.Select(l => l / temperature).ToArray());
        var chain = new SamplerChain(Untruncated with { Temperature = temperature }, logits.Length);

        const int draws = 20_000;
        var counts = new int[logits.Length];
        for (int i = 0; i < draws; i++) counts[chain.Sample(logits)]++;

        double chiSquare = counts.Select((c, i) => Math.Pow(c - draws * expected[i], 2) / (draws * expected[i])).Sum();
        Assert.True(chiSquare < 24.32, $"chi-square {chiSquare:F2} over the 0.999 quantile; counts {string.Join(",", counts)}");
    }

    [Fact]
    public void TruncatedDistribution_RenormalisesOverTheSurvivors()
    {
        // top-k 3 keeps ids 3, 0, 6; temperature 1; each survivor must be drawn with softmax over the three.
        float[] logits = [1.2f, 0.3f, -0.5f, 2.0f, 0.0f, -1.5f, 1.0f, 0.8f];
        var chain = new SamplerChain(Untruncated with { TopK = 3 }, logits.Length);
        var expected = Softmax([2.0f, 1.2f, 1.0f]);
        const int draws = 20_000;
        var counts = new Dictionary<int, int> { [3] = 0, [0] = 0, [6] = 0 };
        for (int i = 0; i < draws; i++) counts[chain.Sample(logits)]++;
        double chiSquare = new[] { 3, 0, 6 }.Select((id, i) => Math.Pow(counts[id] - draws * expected[i], 2) / (draws * expected[i])).Sum();
        Assert.True(chiSquare < 13.82, $"chi-square {chiSquare:F2} (2 dof, 0.999 quantile 13.82)");
    }

    [Fact]
    public void TopCandidates_ArePostSamplingProbabilities()
    {
        float[] logits = [1.2f, 0.3f, -0.5f, 2.0f, 0.0f, -1.5f, 1.0f, 0.8f];
        var options = Untruncated with { TopK = 4, Temperature = 0.7f };
        var chain = new SamplerChain(options, logits.Length);
        int token = chain.Sample(logits);

        var top = chain.TopCandidates(10).ToArray();
        var expected = Softmax([2.0f / 0.7f, 1.2f / 0.7f, 1.0f / 0.7f, 0.8f / 0.7f]);
        Assert.Equal([3, 0, 6, 7], top.Select(c => c.Id));
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], top[i].Probability, 5);
        Assert.Contains(token, top.Select(c => c.Id));
        Assert.Equal([3, 0], chain.TopCandidates(2).ToArray().Select(c => c.Id));
    }

    [Fact]
    public void TopCandidates_BeforeSampling_Throws()
    {
        var chain = new SamplerChain(SamplingOptions.Default with { Seed = 1 }, 4);
        Assert.Throws<InvalidOperationException>(() => chain.TopCandidates(1).Length);
    }

    [Fact]
    public void BadInputs_GiveClearExceptions()
    {
        var chain = new SamplerChain(SamplingOptions.Default with { Seed = 1 }, 4);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => chain.Sample([1f, 2f, 3f])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => chain.Sample([1f, float.NaN, 3f, 0f])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => chain.Sample([1f, float.PositiveInfinity, 3f, 0f])).ParamName);
        Assert.Equal("token", Assert.Throws<ArgumentOutOfRangeException>(() => chain.Accept(4)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerChain(SamplingOptions.Default, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SamplerChain(SamplingOptions.Default with { LogitBias = new Dictionary<int, float> { [4] = 1f } }, 4));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.8f)]
    public void EveryTokenBanned_Throws(float temperature)
    {
        var ban = Enumerable.Range(0, 3).ToDictionary(i => i, _ => float.NegativeInfinity);
        var chain = new SamplerChain(SamplingOptions.Default with { Temperature = temperature, LogitBias = ban, Seed = 1 }, 3);
        Assert.Throws<InvalidOperationException>(() => chain.Sample([1f, 2f, 3f]));
    }

    [Fact]
    public void CustomComposition_RunsStagesInGivenOrder()
    {
        // min-p 0.5 keeps p >= 0.2 (ids 0, 1, 3), then top-k 1 keeps id 1.
        var chain = new SamplerChain([new MinPStage(0.5f), new TopKStage(1)], new GreedySelector(), 4);
        Assert.Equal(1, chain.Sample(LogitsFor(0.3, 0.4, 0.1, 0.2)));
        Assert.Equal(["min-p", "top-k"], chain.Stages.Select(s => s.Name));
        Assert.Null(chain.Options);
    }

    private static int[] Run(SamplingOptions options, float[] logits, int steps)
    {
        var chain = new SamplerChain(options, logits.Length);
        chain.AcceptPrompt([1, 2, 3]);
        return Enumerable.Range(0, steps).Select(_ => chain.SampleAndAccept(logits)).ToArray();
    }
}
