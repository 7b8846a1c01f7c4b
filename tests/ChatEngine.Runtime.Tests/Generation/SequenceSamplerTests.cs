using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Generation;

public sealed class SequenceSamplerTests
{
    [Fact]
    public void Log_probabilities_are_the_log_softmax_of_the_raw_logits_whatever_the_sampling()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        var prompt = model.Tokenizer.Encode("Once upon a time", addSpecial: true);
        var context = model.CreateContext(64);
        var logits = context.Evaluate(prompt).ToArray();
        // Temperature, penalties and bias change what is drawn, not the reported distribution.
        var options = new GenerationOptions
        {
            LogProbabilities = 5,
            Sampling = SamplingOptions.Default with { Temperature = 1.7f, RepeatPenalty = 1.3f, Seed = 3, LogitBias = new Dictionary<int, float> { [5] = 4f } },
        };
        var sampler = new SequenceSampler(options, model.Tokenizer);
        sampler.AcceptPrompt(prompt);
        var token = sampler.Next(logits);

        var max = logits.Max();
        var logNormalizer = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
        var lp = token.LogProbabilities!;
        Assert.Equal(token.Id, lp.Chosen.Id);
        Assert.Equal(logits[token.Id] - logNormalizer, lp.Chosen.LogProbability, 1e-5);
        Assert.Equal(5, lp.Top.Count);
        var expectedTop = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(5).ToArray();
        Assert.Equal(expectedTop, lp.Top.Select(t => t.Id));
        foreach (var t in lp.Top) Assert.Equal(logits[t.Id] - logNormalizer, t.LogProbability, 1e-5);
    }

    [Fact]
    public void Without_the_option_no_log_probabilities_are_computed()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        var context = model.CreateContext(16);
        var logits = context.Evaluate(model.Tokenizer.Encode("Hi", addSpecial: true));
        var token = new SequenceSampler(new GenerationOptions(), model.Tokenizer).Next(logits);
        Assert.Null(token.LogProbabilities);
    }
}
