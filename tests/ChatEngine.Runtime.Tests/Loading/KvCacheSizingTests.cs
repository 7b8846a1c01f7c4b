using ChatEngine.Runtime.Model;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Runtime.Tests.Loading;

public sealed class KvCacheSizingTests
{
    [Fact]
    public void A_context_no_array_can_hold_is_refused_before_allocating()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateContext(int.MaxValue));

        Assert.Equal("contextSize", error.ParamName);
        Assert.Contains($"{int.MaxValue} tokens", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void A_cache_larger_than_memory_is_refused_naming_its_size()
    {
        using var model = LanguageModel.Load(TestPaths.Model("stories260K.gguf"), threads: 1);
        var layers = int.MaxValue;
        var parameters = model.Parameters with { LayerCount = layers };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new KvCache(parameters, 1024));

        Assert.Equal("contextSize", error.ParamName);
        Assert.Contains($"needs {(Int128)layers * 1024 * parameters.KvSize * 4} bytes", error.Message);
        Assert.Contains("memory available", error.Message);
    }
}
