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

    [Theory]
    [InlineData(new[] { "serve", "-c", "lots" }, "error: --ctx-size: 'lots' is not a whole number", "see 'chatengine serve --help'")]
    [InlineData(new[] { "generate", "-p", "hi", "--temperature", "warm" }, "error: --temperature: 'warm' is not a number", "see 'chatengine generate --help'")]
    [InlineData(new[] { "nosuchverb" }, "error: Unrecognized command or argument 'nosuchverb'.", "see 'chatengine --help'")]
    public void A_parse_error_is_an_error_line_and_a_pointer_to_help_never_the_help_page_or_a_dotnet_type(string[] args, string error, string pointer)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(error, lines);
        Assert.Equal(pointer, lines[^1]);
        Assert.All(lines, line => Assert.StartsWith(line == pointer ? "see" : "error: ", line));
        Assert.DoesNotContain("System.", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void A_setting_of_the_wrong_form_in_the_environment_is_said_in_words()
    {
        var result = CliRunner.Run(new Dictionary<string, string?> { ["CHATENGINE_PARALLEL"] = "abc" }, "serve");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: environment (CHATENGINE_*): 'Parallel' is 'abc', which is not a whole number", result.Stderr.Trim());
    }

    [Fact]
    public void Serve_on_a_port_in_use_names_the_port_and_the_flag_in_one_line()
    {
        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            var result = CliRunner.Run("serve", "-m", TestPaths.Model("stories260K.gguf"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

            Assert.Equal(1, result.ExitCode);
            Assert.Equal($"error: port {port} on 127.0.0.1 is already in use; choose another with --port (or CHATENGINE_PORT)", result.Stderr.Trim());
        }
        finally
        {
            taken.Stop();
        }
    }
}
