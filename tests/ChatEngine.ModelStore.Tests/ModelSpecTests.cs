using Xunit;

namespace ChatEngine.ModelStore.Tests;

public sealed class ModelSpecTests
{
    [Theory]
    [InlineData("owner/repo", "owner/repo", null)]
    [InlineData("owner/repo:Q4_K_M", "owner/repo", "Q4_K_M")]
    [InlineData("Qwen/Qwen2.5-0.5B-Instruct-GGUF:qwen2.5-0.5b-instruct-q8_0.gguf", "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q8_0.gguf")]
    public void A_spec_splits_into_repository_and_selector(string text, string repository, string? selector)
    {
        Assert.Equal(new ModelSpec(repository, selector), ModelSpec.Parse(text));
    }

    [Theory]
    [InlineData("repo-only")]
    [InlineData("a/b/c")]
    [InlineData("owner/../x")]
    [InlineData("owner/repo:")]
    [InlineData("owner/re po")]
    public void A_malformed_spec_is_rejected_with_the_expected_shape(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ModelSpec.Parse(text));
        Assert.Contains(text, error.Message);
    }

    [Theory]
    [InlineData("m.Q4_K.gguf", "Q4_K", true)]
    [InlineData("m.Q4_K_M.gguf", "Q4_K", false)]
    [InlineData("m-q4_k_m.gguf", "Q4_K_M", true)]
    [InlineData("sub/m.Q8_0.gguf", "m.Q8_0.gguf", true)]
    [InlineData("m.IQ4_XS.gguf", "Q4_XS", false)]
    public void A_quant_selector_matches_whole_words_only(string file, string selector, bool matches)
    {
        Assert.Equal(matches, FileSelector.Matches(file, selector));
    }
}
