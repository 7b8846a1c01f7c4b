using ChatEngine.Runtime.Sampling;
using Xunit;

namespace ChatEngine.Runtime.Tests.Sampling;

public class Xoshiro256StarStarTests
{
    // Published outputs of the reference C implementation from state {1, 2, 3, 4} (also used by rand_xoshiro's tests).
    [Fact]
    public void StateOneTwoThreeFour_MatchesReferenceImplementation()
    {
        ulong[] expected =
        [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
            607988272756665600, 16172922978634559625, 8476171486693032832,
            10595114339597558777, 2904607092377533576,
        ];
        var random = new Xoshiro256StarStar(1, 2, 3, 4);
        Assert.Equal(expected, expected.Select(_ => random.NextUInt64()).ToArray());
    }

    // SplitMix64 from state 0: the reference outputs (Steele, Lea & Flood; Vigna's splitmix64.c).
    [Fact]
    public void SplitMix64_FromZero_MatchesReference()
    {
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Xoshiro256StarStar.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, Xoshiro256StarStar.SplitMix64(ref state));
        Assert.Equal(0x06C45D188009454FUL, Xoshiro256StarStar.SplitMix64(ref state));
    }

    [Fact]
    public void SeededConstructor_UsesSplitMixExpansionOfTheSeed()
    {
        ulong x = 0;
        var expanded = new Xoshiro256StarStar(
            Xoshiro256StarStar.SplitMix64(ref x), Xoshiro256StarStar.SplitMix64(ref x),
            Xoshiro256StarStar.SplitMix64(ref x), Xoshiro256StarStar.SplitMix64(ref x));
        var seeded = new Xoshiro256StarStar(0);
        for (int i = 0; i < 5; i++) Assert.Equal(expanded.NextUInt64(), seeded.NextUInt64());
    }

    [Fact]
    public void ZeroState_IsRejected() =>
        Assert.Throws<ArgumentException>(() => new Xoshiro256StarStar(0, 0, 0, 0));

    [Fact]
    public void NextDoubleOpenClosed_StaysInHalfOpenIntervalAndIsUniform()
    {
        var random = new Xoshiro256StarStar(7);
        const int n = 100_000;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDoubleOpenClosed();
            Assert.InRange(u, double.Epsilon, 1.0);
            sum += u;
        }
        // Mean of U(0,1] is 1/2 with standard deviation sqrt(1/12/n) ~ 0.0009: allow 5 sigma.
        Assert.InRange(sum / n, 0.5 - 0.0046, 0.5 + 0.0046);
    }

    [Fact]
    public void Reseed_RestartsTheStream()
    {
        var random = new Xoshiro256StarStar(99);
        var first = Enumerable.Range(0, 4).Select(_ => random.NextUInt64()).ToArray();
        random.Reseed(99);
        Assert.Equal(first, Enumerable.Range(0, 4).Select(_ => random.NextUInt64()).ToArray());
    }
}
