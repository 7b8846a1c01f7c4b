using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

public sealed partial class ChatCommandTests
{
    private static readonly string Stories = TestPaths.Model("stories260K.gguf");

    /// <summary>The greedy answer to a conversation of one user message, generated on a context of its own.</summary>
    private static string Reference(string user, int maxTokens)
    {
        using var model = LanguageModel.Load(Stories, 1);
        var prompt = ChatPromptRenderer.ForModel(model).RenderTokens(new JsonArray(new JsonObject { ["role"] = "user", ["content"] = user }), addGenerationPrompt: true);
        var generator = new TextGenerator(model.CreateContext(prompt.Length + maxTokens), model.Tokenizer);
        return string.Concat(generator.Generate(prompt, new GenerationOptions { MaxTokens = maxTokens, Sampling = SamplingOptions.Greedy }).Select(t => t.Text));
    }

    [Fact]
    public void Piped_turns_are_answered_in_order_and_the_next_turn_reuses_the_cached_conversation()
    {
        var result = CliRunner.RunWithInput("A dog\nAnd then?\n/clear\nA cat\n", "chat", "-m", Stories, "--temp", "0", "-n", "24", "-t", "1");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.StartsWith(Reference("A dog", 24) + "\n", result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("\n" + Reference("A cat", 24) + "\n", result.Stdout, StringComparison.Ordinal);
        var cached = CachedCounts().Matches(result.Stderr).Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(3, cached.Length);
        Assert.Equal(0, cached[0]);
        Assert.True(cached[1] > 0, "the second turn evaluated the whole conversation again");
        Assert.DoesNotContain("\u001b", result.Stderr);
    }

    [Fact]
    public void A_message_longer_than_the_context_is_refused_and_the_chat_goes_on()
    {
        var result = CliRunner.RunWithInput(string.Concat(Enumerable.Repeat("once upon a time ", 40)) + "\nA dog\n",
            "chat", "-m", Stories, "--temp", "0", "-n", "16", "-c", "64", "-t", "1");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("error: that message alone is more than the 48 tokens", result.Stderr);
        Assert.Single(CachedCounts().Matches(result.Stderr));
        Assert.Equal(Reference("A dog", 16) + "\n", result.Stdout);
    }

    [Fact]
    public void Run_answers_one_prompt_and_exits()
    {
        var result = CliRunner.Run("run", Stories, "A dog", "--temp", "0", "-n", "24", "-t", "1");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Reference("A dog", 24) + "\n", result.Stdout);
    }

    [Fact]
    public void Lines_between_triple_quotes_are_one_message_and_system_sets_the_system_prompt()
    {
        var result = CliRunner.RunWithInput("\"\"\"\nA dog\nand a cat\n\"\"\"\n/system Tell a short story\nA dog\n",
            "chat", "-m", Stories, "--temp", "0", "-n", "8", "-t", "1");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var prompts = PromptLengths().Matches(result.Stderr).Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(2, prompts.Length);
        Assert.Contains("(system prompt set)", result.Stderr);
        using var model = LanguageModel.Load(Stories, 1);
        var renderer = ChatPromptRenderer.ForModel(model);
        JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };
        Assert.Equal(renderer.RenderTokens([Message("user", "A dog\nand a cat")], addGenerationPrompt: true).Length, prompts[0]);
        var firstAnswer = result.Stdout[..result.Stdout.IndexOf('\n', StringComparison.Ordinal)];
        Assert.True(prompts[1] > prompts[0], "the second prompt should carry the system prompt and the first exchange");
        Assert.Equal(renderer.RenderTokens([Message("system", "Tell a short story"), Message("user", "A dog\nand a cat"), Message("assistant", firstAnswer), Message("user", "A dog")],
            addGenerationPrompt: true).Length, prompts[1]);
    }

    [GeneratedRegex(@"prompt (\d+) tokens")]
    private static partial Regex PromptLengths();

    [GeneratedRegex(@"(\d+) of them cached")]
    private static partial Regex CachedCounts();
}
