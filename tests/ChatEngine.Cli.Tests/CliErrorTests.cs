using ChatEngine.Runtime.Tests.Loading;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

public sealed class CliErrorTests
{
    [Fact]
    public void An_unknown_model_path_is_one_line_on_stderr_and_a_non_zero_exit()
    {
        var result = CliRunner.Run("generate", "-m", "/no/such/model.gguf", "-p", "hi");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: model file '/no/such/model.gguf' does not exist", result.Stderr.Trim());
    }

    [Fact]
    public void A_file_that_is_not_gguf_names_the_problem()
    {
        var result = CliRunner.Run("generate", "-m", TestPaths.Golden("story.txt"), "-p", "hi");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: bad magic", result.Stderr.Trim());
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("llama.embedding_length", uint.MaxValue, "generate", "-p", "hi")]
    [InlineData("llama.block_count", (uint)int.MaxValue, "generate", "-p", "hi")]
    [InlineData("llama.embedding_length", uint.MaxValue, "bench", "-p", "8", "-n", "4")]
    [InlineData("llama.block_count", (uint)int.MaxValue, "serve", "--port", "0")]
    public void A_model_with_an_absurd_hyper_parameter_is_one_line_naming_it_and_exit_code_1(string key, uint value, string verb, params string[] options)
    {
        using var models = new MutatedModels();
        var path = models.WithUInt32(key, value);

        var result = CliRunner.Run([verb, "-m", path, .. options]);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"error: {key} is {value}", result.Stderr.Trim());
    }

    [Fact]
    public void A_context_too_large_for_any_kv_cache_is_one_line_and_exit_code_1()
    {
        var result = CliRunner.Run("generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", "hi", "--ctx-size", $"{int.MaxValue}");

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"error: a KV cache of {int.MaxValue} tokens", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("--top-p", "7", "TopP")]
    [InlineData("-n", "0", "--n-predict")]
    [InlineData("--threads", "0", "--threads")]
    [InlineData("--temperature", "warm", "warm")]
    public void A_bad_option_value_fails_with_a_message_naming_it(string option, string value, string named)
    {
        var result = CliRunner.Run("generate", "-m", TestPaths.Model("stories260K.gguf"), option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(named, result.Stderr);
    }
}
