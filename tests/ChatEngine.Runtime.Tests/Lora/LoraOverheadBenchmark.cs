using System.Diagnostics;
using ChatEngine.Runtime.Lora;
using ChatEngine.TestData;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Runtime.Tests.Lora;

/// <summary>Prints decode speed of tiny-llama-F32 with and without the rank-8 adapter applied at run time.</summary>
[Trait("Category", "Benchmark")]
public sealed class LoraOverheadBenchmark(ITestOutputHelper output)
{
    private const int Tokens = 256;

    [SharedFact]
    public void Print_decode_tokens_per_second_with_and_without_the_adapter()
    {
        using var model = LanguageModel.Load(TestPaths.Model("tiny-llama-F32.gguf"), threads: 2);
        using var adapter = LoraAdapter.Load(TestPaths.Model("tiny-llama-lora-F32.gguf"), model);
        var with = new LoraSelection([new ScaledLoraAdapter(adapter, 1f)]);
        for (var round = 0; round < 3; round++)
        {
            var baseline = DecodeTokensPerSecond(model, LoraSelection.None);
            var adapted = DecodeTokensPerSecond(model, with);
            output.WriteLine($"round {round}: decode {baseline:F0} t/s without, {adapted:F0} t/s with the adapter ({adapted / baseline:P0})");
            Assert.True(adapted > 0);
        }
    }

    private static double DecodeTokensPerSecond(LanguageModel model, LoraSelection adapters)
    {
        var context = model.CreateContext(Tokens);
        context.Adapters = adapters;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Tokens; i++) context.Evaluate([3 + i % 500]);
        return Tokens / watch.Elapsed.TotalSeconds;
    }
}
