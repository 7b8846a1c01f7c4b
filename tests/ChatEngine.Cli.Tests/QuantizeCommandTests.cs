using System.Text.Json;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary>
/// <c>quantize</c> as a user runs it: the files it writes from the golden F32 models are llama-quantize's (the library's
/// ModelQuantizerTests compare every one byte for byte), they load and score like the golden files, and every
/// bad input is one <c>error:</c> line.
/// </summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatengine-cli-quantize-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SharedTheory]
    [InlineData("tiny-llama", "Q4_K_M")]
    [InlineData("tiny-llama", "Q2_K", "--pure")]
    [InlineData("tiny-qwen2", "Q4_K_M")]
    public void The_quantized_model_loads_and_scores_as_the_golden_file_does(string model, string type, params string[] flags)
    {
        var output = Path.Combine(_directory, $"{model}-{type}.gguf");
        var golden = TestPaths.Model($"{model}-{type}.gguf");

        var quantize = CliRunner.Run(["quantize", TestPaths.Model($"{model}-F32.gguf"), output, type, .. flags]);

        Assert.True(quantize.ExitCode == 0, quantize.Stderr);
        Assert.StartsWith($"wrote {output} as {type} (", quantize.Stdout);
        Assert.Equal(File.ReadAllBytes(golden), File.ReadAllBytes(output));
        var ours = Perplexity(output);
        Assert.Equal(Perplexity(golden), ours);
        using var expected = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden("perplexity.json")));
        var llamaCpp = expected.RootElement.GetProperty("results").GetProperty($"{model}-{type}").GetProperty("final_ppl").GetDouble();
        Assert.True(Math.Abs(Math.Log(ours) - Math.Log(llamaCpp)) < 5e-3, $"perplexity {ours} vs llama.cpp's {llamaCpp}");
    }

    [SharedFact]
    public void In_a_pipe_progress_is_plain_lines_ending_at_100_percent()
    {
        var result = CliRunner.Run("quantize", TestPaths.Model("tiny-llama-F32.gguf"), Path.Combine(_directory, "q.gguf"), "Q8_0");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain('\r', result.Stderr);
        Assert.DoesNotContain('\u001b', result.Stderr);
        Assert.Matches(@"^100% blk\.3\.ffn_up\.weight$", result.Stderr.TrimEnd('\n').Split('\n')[^1]);
        Assert.Single(result.Stdout.TrimEnd('\n').Split('\n'));
    }

    [SharedFact]
    public void An_unknown_type_is_one_error_line_listing_the_types()
    {
        var output = Path.Combine(_directory, "q.gguf");

        var result = CliRunner.Run("quantize", TestPaths.Model("tiny-llama-F32.gguf"), output, "Q4_K_X");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: unknown quantization type 'Q4_K_X'; known types: Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_S, Q3_K_M, Q3_K_L, "
            + "Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, Q8_0, F16, BF16, F32", result.Stderr.TrimEnd('\n'));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_quantized_input_is_one_error_line_saying_so()
    {
        var output = Path.Combine(_directory, "q.gguf");

        var result = CliRunner.Run("quantize", TestPaths.Model("tiny-llama-Q8_0.gguf"), output, "Q4_0");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains("is not an F32, F16 or BF16 model: tensor output.weight is Q8_0", line);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [SharedFact]
    public void An_existing_output_is_refused_unless_forced()
    {
        var output = Path.Combine(_directory, "q.gguf");
        File.WriteAllText(output, "keep me");
        var input = TestPaths.Model("tiny-llama-F32.gguf");

        var refused = CliRunner.Run("quantize", input, output, "Q8_0");

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"error: {output} already exists; pass --force to overwrite it", refused.Stderr.TrimEnd('\n'));
        Assert.Equal("keep me", File.ReadAllText(output));

        var forced = CliRunner.Run("quantize", input, output, "Q8_0", "--force");

        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.Equal(File.ReadAllBytes(TestPaths.Model("tiny-llama-Q8_0.gguf")), File.ReadAllBytes(output));
    }

    private static double Perplexity(string model)
    {
        var result = CliRunner.Run("perplexity", "-m", model, "-f", TestPaths.Golden("story.txt"), "-c", "128", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.GetProperty("perplexity").GetDouble();
    }
}
