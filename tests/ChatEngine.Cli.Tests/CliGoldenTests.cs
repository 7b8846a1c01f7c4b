using System.Text.Json;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

public sealed class CliGoldenTests
{
    private static readonly string Stories = TestPaths.Model("stories260K.gguf");

    [Fact]
    public void Generate_json_at_temperature_zero_reproduces_llama_cpp_greedy_tokens()
    {
        var golden = NextTokenGolden.Load("nexttok-stories260K.json").Runs[0];

        var result = CliRunner.Run("generate", "-m", Stories, "-p", golden.Prompt, "-n", "32", "--temperature", "0", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(golden.PromptIds, json.RootElement.GetProperty("prompt_tokens").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(golden.GeneratedIds, json.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(golden.GeneratedText, json.RootElement.GetProperty("text").GetString());
        Assert.True(json.RootElement.GetProperty("timings").GetProperty("decode_tokens_per_second").GetDouble() > 0);
    }

    [Fact]
    public void Generate_streams_the_story_of_Lily_from_an_empty_prompt()
    {
        var result = CliRunner.Run("generate", "-m", Stories, "-n", "24", "--temperature", "0");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(" Once upon a time, there was a little girl named Lily.", result.Stdout);
    }

    [Fact]
    public void Tokenize_json_matches_llama_tokenize()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden("tokenize-spm512.json")));
        foreach (var testCase in golden.RootElement.GetProperty("cases").EnumerateArray().Take(5))
        {
            var text = testCase.GetProperty("text").GetString()!;
            if (text.Length == 0) continue;
            var result = CliRunner.Run("tokenize", "-m", Stories, "--text", text, "--json");

            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.Stdout);
            Assert.Equal(testCase.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()),
                json.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        }
    }

    [Fact]
    public void Perplexity_json_matches_llama_perplexity()
    {
        var result = CliRunner.Run("perplexity", "-m", Stories, "-f", TestPaths.Golden("story.txt"), "-c", "128", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(22, json.RootElement.GetProperty("chunks").GetInt32());
        Assert.Equal(2863, json.RootElement.GetProperty("tokens").GetInt32());
        Assert.True(Math.Abs(Math.Log(json.RootElement.GetProperty("perplexity").GetDouble()) - Math.Log(5.2038)) < 1e-3);
    }

    [Fact]
    public void Logits_json_has_the_golden_shape_and_values()
    {
        var golden = NextTokenGolden.Load("nexttok-stories260K.json").Runs[1];

        var result = CliRunner.Run("logits", "-m", Stories, "-p", golden.Prompt, "-n", "8", "--top", "10", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(8, steps.Length);
        for (var s = 0; s < steps.Length; s++)
        {
            var top = steps[s].GetProperty("top").EnumerateArray().ToArray();
            Assert.Equal(10, top.Length);
            Assert.Equal(golden.Steps[s].Id, steps[s].GetProperty("id").GetInt32());
            for (var k = 0; k < 10; k++)
                Assert.True(Math.Abs(golden.Steps[s].Top[k].Prob - top[k].GetProperty("prob").GetDouble()) < 2e-3);
        }
    }

    [SharedFact]
    public void Template_renders_a_golden_chat_template_case_byte_for_byte()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden("chat-templates.json")));
        var testCase = golden.RootElement.GetProperty("cases").EnumerateArray()
            .First(c => c.GetProperty("template").GetString() == "Qwen-Qwen2.5-7B-Instruct"
                && c.GetProperty("conversation").GetString() == "system_user_assistant_user"
                && c.GetProperty("add_generation_prompt").GetBoolean());
        var messages = golden.RootElement.GetProperty("conversations").GetProperty("system_user_assistant_user").GetRawText();
        var messagesFile = Path.GetTempFileName();
        File.WriteAllText(messagesFile, messages);
        try
        {
            var result = CliRunner.Run("template", "-m", Stories, "--messages", messagesFile,
                "--template", TestPaths.Shared(testCase.GetProperty("template_file").GetString()!), "--add-generation-prompt");

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(testCase.GetProperty("rendered").GetString(), result.Stdout);
        }
        finally
        {
            File.Delete(messagesFile);
        }
    }
}
