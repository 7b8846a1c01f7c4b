using System.Diagnostics;
using System.Text;
using ChatEngine.TestData;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Text.Tests;

/// <summary>Prints tokenization throughput on ~1 MB of English text; measures, asserts no time.</summary>
public sealed class ThroughputBenchmark(ITestOutputHelper output)
{
    private const int TargetBytes = 1 << 20;

    [Fact]
    [Trait("Category", "Benchmark")]
    public void Spm_throughput() => Measure("SPM (stories260K)", LoadedTokenizers.Spm);

    [SharedFact]
    [Trait("Category", "Benchmark")]
    public void Bpe_throughput() => Measure("BPE (gpt-2)", LoadedTokenizers.Gpt2);

    /// <summary>2,400 user-defined tokens are cut out of the text before BPE, so this exercises the partitioner.</summary>
    [SharedFact]
    [Trait("Category", "Benchmark")]
    public void Bpe_with_many_user_defined_tokens_throughput() =>
        Measure("BPE (deepseek-llm)", LoadedTokenizers.FromFile(TestPaths.Shared("vocab", "ggml-vocab-deepseek-llm.gguf")));

    private void Measure(string name, Tokenizer tokenizer)
    {
        var story = File.ReadAllText(TestPaths.Golden("story.txt"));
        var text = string.Concat(Enumerable.Repeat(story, TargetBytes / story.Length + 1));
        var bytes = Encoding.UTF8.GetBytes(text);

        tokenizer.Encode(story, addSpecial: false); // warm-up (JIT, regex compilation)
        var watch = Stopwatch.StartNew();
        var ids = tokenizer.Encode(bytes, addSpecial: false);
        var seconds = watch.Elapsed.TotalSeconds;

        Assert.Equal(text, tokenizer.DecodePieces(ids)[(tokenizer.AddSpacePrefix ? 1 : 0)..]); // SPM adds a prefix space
        output.WriteLine($"{name}: {bytes.Length / 1e6:F2} MB -> {ids.Length} tokens in {seconds * 1000:F0} ms = {bytes.Length / 1e6 / seconds:F2} MB/s");
    }
}
