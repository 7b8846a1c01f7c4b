using System.Text.Json;
using ChatEngine.Gguf;
using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Sampling;

/// <summary>
/// Checks against llama.cpp's own numbers in golden/nexttok-*.json: per step, the raw float32 logits of the ten
/// most likely tokens and llama-server's full-vocabulary softmax probabilities of the same tokens. Only those ten
/// logits are known, so the other tokens are masked with -infinity: the chain's probabilities must then equal
/// llama.cpp's renormalised over the ten, which exercises the softmax, greedy pick and min-p on real model output.
/// </summary>
public class GoldenDistributionTests
{
    public static TheoryData<string> BundledFiles() =>
        ["nexttok-stories260K.json", "nexttok-tiny-llama-Q8_0.json", "nexttok-tiny-llama-Q4_K_M.json"];

    public static TheoryData<string> AllSharedFiles() => new(
        TestPaths.HasShared
            ? Directory.GetFiles(Path.Combine(TestPaths.SharedDir!, "golden"), "nexttok-*.json").Select(Path.GetFileName).Order()!
            : ["(none)"]);

    [Theory]
    [MemberData(nameof(BundledFiles))]
    public void GreedyPick_IsLlamaCppsPick(string file)
    {
        var chain = new SamplerChain(SamplingOptions.Greedy, VocabSize(file));
        foreach (var step in Steps(file))
        {
            Assert.Equal(step.Id, chain.Sample(step.Logits));
        }
    }

    [Theory]
    [MemberData(nameof(BundledFiles))]
    public void PostSamplingProbabilities_MatchLlamaCppSoftmax(string file) => CheckPostSamplingProbabilities(file);

    [SharedTheory]
    [MemberData(nameof(AllSharedFiles))]
    public void PostSamplingProbabilities_MatchLlamaCppSoftmax_AllModels(string file) => CheckPostSamplingProbabilities(file);

    private static void CheckPostSamplingProbabilities(string file)
    {
        int vocabSize = VocabSize(file);
        var chain = new SamplerChain(new SamplingOptions { Temperature = 1f, TopK = 0, TopP = 1f, MinP = 0f, Seed = 5 }, vocabSize);
        int checkedSteps = 0;
        foreach (var step in Steps(file))
        {
            chain.Sample(step.Logits);
            var top = chain.TopCandidates(10).ToArray();
            double mass = step.Top.Sum(t => t.Prob);
            Assert.Equal(step.Top.Length, top.Length);
            for (int i = 0; i < top.Length; i++)
            {
                // Near-equal logits may swap places; compare per id. The server's float32 softmax carries ~3e-6.
                double expected = step.Top.Single(t => t.Id == top[i].Id).Prob / mass;
                Assert.True(Math.Abs(top[i].Probability - expected) < 2e-5,
                    $"{file}: token {top[i].Id}: {top[i].Probability} vs llama.cpp {expected}");
            }
            checkedSteps++;
        }
        Assert.True(checkedSteps >= 3 * 10, $"{file}: only {checkedSteps} steps");
    }

    [Theory]
    [MemberData(nameof(BundledFiles))]
    public void MinP_KeepsTheTokensLlamaCppProbabilitiesQualify(string file)
    {
        const float minP = 0.02f;
        var stage = new MinPStage(minP);
        var list = new CandidateList(VocabSize(file));
        int compared = 0;
        foreach (var step in Steps(file))
        {
            double pMax = step.Top.Max(t => t.Prob);
            // Skip steps where a ratio sits within float error of the threshold: either answer would be right.
            if (step.Top.Any(t => Math.Abs(t.Prob / pMax - minP) < 1e-4)) continue;
            // Only decidable when the ten known tokens include every qualifying one.
            if (step.Top.Min(t => t.Prob) >= minP * pMax) continue;

            list.Load(step.Logits);
            stage.Apply(list);
            var expected = step.Top.Where(t => t.Prob >= minP * pMax).Select(t => t.Id).Order();
            Assert.Equal(expected, SamplingTestMath.Ids(list).Order());
            compared++;
        }
        Assert.True(compared >= 30, $"only {compared} decidable steps");
    }

    private sealed record Candidate(int Id, double Prob);

    private sealed record Step(int Id, Candidate[] Top, float[] Logits);

    private static int VocabSize(string file)
    {
        using var model = GgufFile.Open(TestPaths.Model(NextTokenGolden.Load(file).Model));
        return model.Metadata.GetStringArray("tokenizer.ggml.tokens").Length;
    }

    private static IEnumerable<Step> Steps(string file)
    {
        int vocabSize = VocabSize(file);
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden(file)));
        var steps = new List<Step>();
        foreach (var run in doc.RootElement.GetProperty("runs").EnumerateArray())
        {
            foreach (var step in run.GetProperty("steps").EnumerateArray())
            {
                var logits = new float[vocabSize];
                Array.Fill(logits, float.NegativeInfinity);
                foreach (var entry in step.GetProperty("top_logits_float32").EnumerateArray())
                {
                    logits[entry.GetProperty("id").GetInt32()] = entry.GetProperty("logit").GetSingle();
                }
                var top = step.GetProperty("top").EnumerateArray()
                    .Select(t => new Candidate(t.GetProperty("id").GetInt32(), t.GetProperty("prob").GetDouble()))
                    .ToArray();
                steps.Add(new Step(step.GetProperty("id").GetInt32(), top, logits));
            }
        }
        return steps;
    }
}
