using System.Text.Json;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary><c>--lora FILE[:SCALE]</c> on generate / logits / perplexity and <c>lora merge</c>, run as a user runs them.</summary>
public sealed class CliLoraTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chatengine-cli-lora-").FullName;

    private static string Base => TestPaths.Model("tiny-llama-F32.gguf");
    private static string Adapter => TestPaths.Model("tiny-llama-lora-F32.gguf");

    [SharedFact]
    public void Logits_with_a_scaled_adapter_reproduce_llama_server_lora_scaled()
    {
        var golden = NextTokenGolden.Load("nexttok-tiny-llama-F32-lora-scale0.5.json").Runs[0];

        var result = CliRunner.Run("logits", "-m", Base, "--lora", Adapter + ":0.5", "-p", golden.Prompt, "-n", "8", "--json");

        Assert.Equal(0, result.ExitCode);
        AssertStepsMatch(golden, result.Stdout, 8);
    }

    [SharedFact]
    public void Generate_with_an_adapter_reproduces_llama_server_lora_greedy_tokens()
    {
        var golden = NextTokenGolden.Load("nexttok-tiny-llama-F32-lora-scale1.0.json").Runs[2];
        var comparable = golden.Steps.TakeWhile(s => s.Top1Top2Margin > 1e-3).Count();

        var result = CliRunner.Run("generate", "-m", Base, "--lora", Adapter, "-p", golden.Prompt, "-n", "32", "--temperature", "0", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var ids = json.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.True(comparable >= 8, $"only {comparable} comparable steps");
        Assert.Equal(golden.GeneratedIds.Take(comparable), ids.Take(comparable));
    }

    [SharedFact]
    public void Lora_merge_writes_a_model_that_reproduces_llama_export_lora_results_and_the_run_time_perplexity()
    {
        var merged = Path.Combine(_folder, "merged.gguf");
        var golden = NextTokenGolden.Load("nexttok-tiny-llama-F32-lora-merged.json").Runs[1];

        var merge = CliRunner.Run("lora", "merge", "-m", Base, "--lora", Adapter, "-o", merged);
        Assert.Equal(0, merge.ExitCode);
        var logits = CliRunner.Run("logits", "-m", merged, "-p", golden.Prompt, "-n", "8", "--json");
        Assert.Equal(0, logits.ExitCode);
        AssertStepsMatch(golden, logits.Stdout, 8);

        var story = TestPaths.Golden("story.txt");
        var mergedPerplexity = Perplexity(CliRunner.Run("perplexity", "-m", merged, "-f", story, "-c", "128", "--json"));
        var runTimePerplexity = Perplexity(CliRunner.Run("perplexity", "-m", Base, "--lora", Adapter, "-f", story, "-c", "128", "--json"));
        Assert.True(Math.Abs(Math.Log(mergedPerplexity) - Math.Log(runTimePerplexity)) < 1e-4, $"merged {mergedPerplexity} vs run time {runTimePerplexity}");
        // The base model alone scores 442128 (golden/perplexity.json); the adapter must show.
        Assert.True(Math.Abs(Math.Log(runTimePerplexity) - Math.Log(442128.18)) > 1e-3, $"run time {runTimePerplexity} is the base model's perplexity");
    }

    [Fact]
    public void Lora_merge_into_the_bundled_quantized_model_gives_a_loadable_model()
    {
        var merged = Path.Combine(_folder, "merged-q8.gguf");
        var quantized = TestPaths.Model("tiny-llama-Q8_0.gguf");

        Assert.Equal(0, CliRunner.Run("lora", "merge", "-m", quantized, "--lora", Adapter + ":0.5", "-o", merged, "--type", "f16").ExitCode);
        var result = CliRunner.Run("generate", "-m", merged, "-p", "Once upon a time", "-n", "4", "--temperature", "0", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("tokens").GetArrayLength());
    }

    [Theory]
    [InlineData("generate")]
    [InlineData("logits")]
    public void A_model_file_given_as_adapter_is_one_clear_error_line(string verb)
    {
        var result = CliRunner.Run(verb, "-m", TestPaths.Model("tiny-llama-Q8_0.gguf"), "-p", "x", "--lora", TestPaths.Model("stories260K.gguf"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: LoRA adapter '", result.Stderr);
        Assert.Contains("'general.type' is missing", result.Stderr);
    }

    [Fact]
    public void A_missing_adapter_file_is_one_clear_error_line()
    {
        var result = CliRunner.Run("perplexity", "-m", TestPaths.Model("stories260K.gguf"), "-f", TestPaths.Golden("story.txt"), "--lora", "/no/such/adapter.gguf:0.5");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: LoRA adapter file '/no/such/adapter.gguf' does not exist", result.Stderr);
    }

    private static void AssertStepsMatch(NextTokenRun golden, string stdout, int steps)
    {
        using var json = JsonDocument.Parse(stdout);
        var reported = json.RootElement.GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(steps, reported.Length);
        for (var s = 0; s < steps; s++)
        {
            Assert.Equal(golden.Steps[s].Id, reported[s].GetProperty("id").GetInt32());
            var top = reported[s].GetProperty("top").EnumerateArray().ToDictionary(t => t.GetProperty("id").GetInt32(), t => t.GetProperty("prob").GetDouble());
            foreach (var (id, prob) in golden.Steps[s].Top.Where(t => top.ContainsKey(t.Id)))
                Assert.True(Math.Abs(top[id] - prob) < 1e-3, $"step {s} token {id}: {top[id]} vs {prob}");
        }
    }

    private static double Perplexity(CliRunner.Result result)
    {
        Assert.Equal(0, result.ExitCode);
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("perplexity").GetDouble();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
