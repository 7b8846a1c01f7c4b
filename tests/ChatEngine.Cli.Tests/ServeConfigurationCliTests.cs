using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary><c>serve</c> validates its settings at start-up: a bad value from any source names the setting and exits 1.</summary>
public sealed class ServeConfigurationCliTests
{
    [Theory]
    [InlineData("CHATENGINE_PORT", "abc", "'Port' is 'abc', which is not a whole number")]
    [InlineData("CHATENGINE_PARALLEL", "0", "invalid setting Parallel = 0")]
    [InlineData("CHATENGINE_CONTEXTSIZE", "1", "invalid setting ContextSize = 1")]
    [InlineData("CHATENGINE_MODELPATH", "/no/such/model.gguf", "model file '/no/such/model.gguf' does not exist")]
    public void A_bad_environment_value_names_the_setting_and_exits_non_zero(string variable, string value, string message)
    {
        var result = CliRunner.Run(new Dictionary<string, string?> { [variable] = value }, "serve", "--port", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public void A_chat_template_file_that_does_not_parse_stops_start_up_naming_the_file()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "{% for m in messages %}");
        try
        {
            var result = CliRunner.Run("serve", "--port", "0", "--chat-template-file", file);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"error: chat template file '{file}' is not a template this server can render: unexpected end of template", result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_flag_overrides_the_environment()
    {
        var result = CliRunner.Run(new Dictionary<string, string?> { ["CHATENGINE_PORT"] = "8080" }, "serve", "--port", "99999");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid setting Port = 99999", result.Stderr);
    }

    [Fact]
    public void An_unknown_key_in_the_settings_file_is_named()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """{ "ChatEngine": { "Prot": 9000 } }""");
        try
        {
            var result = CliRunner.Run("serve", "--config", file);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("'Prot'", result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
