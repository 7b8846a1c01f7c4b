using ChatEngine.Runtime.Sampling;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace ChatEngine.Runtime.Tests.Sampling;

public class SamplerPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static Gen<float[]> LogitsGen(int minLength = 1) =>
        from n in Gen.Choose(minLength, 60)
        from values in Gen.ArrayOf(Gen.Choose(-400, 400).Select(v => v / 40f), n)
        select values;

    [Fact]
    public void SampledToken_AlwaysHasAFiniteLogitAfterBias()
    {
        var gen =
            from logits in LogitsGen(minLength: 2)
            from banned in Gen.ArrayOf(Gen.Elements(true, false, false), logits.Length)
            from seed in Gen.Choose(0, int.MaxValue)
            from temperature in Gen.Elements(0f, 0.3f, 0.8f, 1.5f)
            where banned.Contains(false)
            select (logits, banned, seed, temperature);

        Check.One(Runs, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var bias = Enumerable.Range(0, t.logits.Length).Where(i => t.banned[i]).ToDictionary(i => i, _ => float.NegativeInfinity);
            var options = SamplingOptions.Default with { LogitBias = bias, Temperature = t.temperature, Seed = (ulong)t.seed };
            var chain = new SamplerChain(options, t.logits.Length);
            for (int i = 0; i < 5; i++)
            {
                int token = chain.SampleAndAccept(t.logits);
                if (t.banned[token] || !float.IsFinite(t.logits[token])) return false;
            }
            return true;
        }));
    }

    [Fact]
    public void TopK_NeverReturnsATokenOutsideTheKLargest()
    {
        var gen =
            from logits in LogitsGen()
            from k in Gen.Choose(1, 10)
            from seed in Gen.Choose(0, int.MaxValue)
            select (logits, k, seed);

        Check.One(Runs, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var allowed = SamplingTestMath.Ranked(t.logits).Take(t.k).ToHashSet();
            var options = new SamplingOptions { TopK = t.k, TopP = 1f, MinP = 0f, Temperature = 2f, Seed = (ulong)t.seed };
            var chain = new SamplerChain(options, t.logits.Length);
            return Enumerable.Range(0, 10).All(_ => allowed.Contains(chain.Sample(t.logits)));
        }));
    }

    [Fact]
    public void Greedy_IsTheArgMaxOfBiasedLogits()
    {
        var gen =
            from logits in LogitsGen()
            from biases in Gen.ArrayOf(Gen.Choose(-40, 40).Select(v => v / 10f), logits.Length)
            select (logits, biases);

        Check.One(Runs, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var bias = Enumerable.Range(0, t.logits.Length).ToDictionary(i => i, i => t.biases[i]);
            var chain = new SamplerChain(SamplingOptions.Greedy with { LogitBias = bias }, t.logits.Length);
            var biased = t.logits.Select((l, i) => l + t.biases[i]).ToArray();
            return chain.Sample(t.logits) == SamplingTestMath.Ranked(biased)[0];
        }));
    }

    [Fact]
    public void TruncationStages_KeepAPrefixOfTheRankingThatContainsTheMostLikelyToken()
    {
        var gen =
            from logits in LogitsGen()
            from p in Gen.Choose(1, 100).Select(v => v / 100f)
            from stage in Gen.Elements("top-p", "min-p")
            select (logits, p, stage);

        Check.One(Runs, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var list = SamplingTestMath.Loaded(t.logits);
            ISamplerStage stage = t.stage == "top-p" ? new TopPStage(t.p) : new MinPStage(t.p);
            stage.Apply(list);
            var kept = SamplingTestMath.Ids(list).ToHashSet();
            // Ties rank by lower id (and min-p keeps or drops equal logits together), so the kept set is exactly
            // a prefix of the reference ranking.
            return kept.Count > 0 && kept.SetEquals(SamplingTestMath.Ranked(t.logits).Take(kept.Count));
        }));
    }

    [Fact]
    public void SameSeed_SameTokens_ForAnyOptions()
    {
        var gen =
            from logits in LogitsGen(minLength: 2)
            from seed in Gen.Choose(0, int.MaxValue)
            from k in Gen.Choose(0, 20)
            from typical in Gen.Elements(1f, 0.9f, 0.5f)
            from penalty in Gen.Elements(1f, 1.3f)
            select (logits, seed, k, typical, penalty);

        Check.One(Runs, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var options = SamplingOptions.Default with { Seed = (ulong)t.seed, TopK = t.k, TypicalP = t.typical, RepeatPenalty = t.penalty };
            int[] Draw()
            {
                var chain = new SamplerChain(options, t.logits.Length);
                return Enumerable.Range(0, 20).Select(_ => chain.SampleAndAccept(t.logits)).ToArray();
            }
            return Draw().SequenceEqual(Draw());
        }));
    }
}
