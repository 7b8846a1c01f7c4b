using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests;

public sealed class DecodeAllocationTests
{
    [Theory]
    [InlineData("stories260K.gguf")]
    [InlineData("tiny-llama-Q8_0.gguf")]
    [InlineData("tiny-llama-Q4_K_M.gguf")]
    public void Decoding_a_token_allocates_no_managed_memory_in_steady_state(string modelFile)
    {
        using var model = LanguageModel.Load(TestPaths.Model(modelFile), threads: 2);
        var context = model.CreateContext(256);
        int[] token = [1];
        context.Evaluate([1, 2, 3, 4]);
        for (var i = 0; i < 8; i++) context.Evaluate(token);

        var quietest = AllocationProbe.QuietestRound(() =>
        {
            for (var i = 0; i < 16; i++) context.Evaluate(token);
        });

        Assert.Equal(0, quietest);
    }
}
