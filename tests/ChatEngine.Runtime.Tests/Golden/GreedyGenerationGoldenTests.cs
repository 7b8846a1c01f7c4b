using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Golden;

public sealed class GreedyGenerationGoldenTests
{
    private static readonly GenerationOptions Greedy = new() { MaxTokens = 32, Sampling = SamplingOptions.Greedy };

    [Fact]
    public void Stories260K_greedy_generation_reproduces_llama_cpp_tokens_and_text_exactly()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 2);
        foreach (var run in NextTokenGolden.Load("nexttok-stories260K.json").Runs)
        {
            var generator = new TextGenerator(model.CreateContext(run.PromptIds.Length + 32), model.Tokenizer);
            var tokens = generator.Generate(model.Tokenizer.Encode(run.Prompt), Greedy).ToList();

            Assert.Equal(run.PromptIds, model.Tokenizer.Encode(run.Prompt));
            Assert.Equal(run.GeneratedIds, tokens.Select(t => t.Id));
            Assert.Equal(run.GeneratedText, string.Concat(tokens.Select(t => t.Text)));
        }
    }

    [Fact]
    public void From_bos_alone_stories260K_tells_the_well_known_story_of_Lily()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 2);
        var generator = new TextGenerator(model.CreateContext(64), model.Tokenizer);
        var text = string.Concat(generator.Generate([model.Tokenizer.BosTokenId], Greedy).Select(t => t.Text));

        Assert.StartsWith(" Once upon a time, there was a little girl named Lily.", text);
    }

    public static TheoryData<string, string, double> Models => new()
    {
        { "tiny-llama-F32.gguf", "nexttok-tiny-llama-F32.json", 2e-3 },
        { "tiny-llama-Q8_0.gguf", "nexttok-tiny-llama-Q8_0.json", 5e-3 },
        { "tiny-llama-Q4_K_M.gguf", "nexttok-tiny-llama-Q4_K_M.json", 5e-3 },
        { "tiny-qwen2-F32.gguf", "nexttok-tiny-qwen2-F32.json", 2e-3 },
        { "tiny-qwen2-Q4_K_M.gguf", "nexttok-tiny-qwen2-Q4_K_M.json", 5e-3 },
        { "tiny-qwen3-F32.gguf", "nexttok-tiny-qwen3-F32.json", 5e-3 },
        { "tiny-gemma3-F32.gguf", "nexttok-tiny-gemma3-F32.json", 5e-3 },
        { "tiny-phi3-F32.gguf", "nexttok-tiny-phi3-F32.json", 2e-3 },
    };

    [SharedTheory]
    [MemberData(nameof(Models))]
    public void Greedy_ids_match_llama_cpp_up_to_the_first_near_tie(string modelFile, string goldenFile, double tieTolerance)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 2);
        GoldenComparison.AssertGreedyIdsMatch(model, NextTokenGolden.Load(goldenFile), tieTolerance);
    }

    [Fact]
    public void A_prompt_plus_max_tokens_beyond_the_context_is_a_clear_error()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        var generator = new TextGenerator(model.CreateContext(16), model.Tokenizer);

        var error = Assert.Throws<Model.ContextOverflowException>(() => generator.Generate(new int[10], new GenerationOptions { MaxTokens = 7 }));
        Assert.Equal(17, error.Requested);
        Assert.Equal(16, error.ContextSize);
    }
}
