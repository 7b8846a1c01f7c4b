using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Sampling;

public class SamplerAllocationTests
{
    public static TheoryData<string, SamplingOptions> Configurations() => new()
    {
        { "defaults", SamplingOptions.Default with { Seed = 1 } },
        { "greedy + penalties + bias", SamplingOptions.Greedy with { RepeatPenalty = 1.1f, PresencePenalty = 0.3f, LogitBias = new Dictionary<int, float> { [7] = float.NegativeInfinity } } },
        { "everything on", SamplingOptions.Default with { Seed = 2, TypicalP = 0.9f, RepeatPenalty = 1.2f, FrequencyPenalty = 0.1f, LogitBias = new Dictionary<int, float> { [3] = 2f } } },
        { "no top-k (full-vocabulary top-p)", SamplingOptions.Default with { Seed = 3, TopK = 0, TopP = 0.9f, Temperature = 1.3f } },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void SteadyStateSampling_AllocatesNothing(string name, SamplingOptions options)
    {
        const int vocab = 32_000;
        var logits = SamplingTestMath.RandomLogits(vocab, seed: 21, scale: 6f);
        var chain = new SamplerChain(options, vocab);
        chain.AcceptPrompt([1, 2, 3, 4]);
        for (int i = 0; i < 20; i++) chain.SampleAndAccept(logits); // warm-up (JIT tiers)

        var quietest = AllocationProbe.QuietestRound(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                chain.SampleAndAccept(logits);
                _ = chain.TopCandidates(5);
            }
        });

        Assert.True(quietest == 0, $"{name}: {quietest} bytes allocated over 50 samples in the quietest of 5 rounds");
    }
}
