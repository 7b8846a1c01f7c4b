using System.Text.Json;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary>-ctk / -ctv (llama.cpp's KV cache types) on the verbs that run a model.</summary>
public sealed class CacheTypeCliTests
{
    [SharedFact]
    public void Bench_reports_the_bytes_a_cached_token_takes_in_each_type()
    {
        long BytesPerToken(string type)
        {
            var result = CliRunner.Run("bench", "-m", TestPaths.Model("tiny-llama-F32.gguf"), "-p", "8", "-n", "2", "-r", "1", "--json", "-ctk", type, "-ctv", type);
            Assert.True(result.ExitCode == 0, result.Stderr);
            using var json = JsonDocument.Parse(result.Stdout);
            Assert.Equal(type, json.RootElement.GetProperty("kv_cache_type_k").GetString());
            return json.RootElement.GetProperty("kv_cache_bytes_per_token").GetInt64();
        }
        var f16 = BytesPerToken("f16");
        // Per 32 values: F16 64 bytes, Q8_0 34, Q4_0 18.
        Assert.Equal(f16 * 34 / 64, BytesPerToken("q8_0"));
        Assert.Equal(f16 * 18 / 64, BytesPerToken("q4_0"));
    }

    [Fact]
    public void An_unknown_cache_type_is_a_usage_error_naming_the_option()
    {
        var result = CliRunner.Run("generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", "hi", "-ctv", "q5_1");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--cache-type-v: cache type 'q5_1' is not one of f16, q8_0, q4_0", result.Stderr);
    }

    [Fact]
    public void A_quantized_cache_for_heads_that_are_not_whole_blocks_is_refused_with_the_reason()
    {
        // stories260K's heads hold 8 values, less than one 32-value block (llama.cpp refuses it too).
        var result = CliRunner.Run("generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", "hi", "-n", "2", "-ctk", "q8_0");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("a multiple of 32", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }
}
