using Xunit;

namespace ChatEngine.Kernels.Tests;

public sealed class KernelIsaTests
{
    [Fact]
    public void Without_an_override_the_best_path_is_active()
    {
        Assert.Equal(KernelPath.Avx512, KernelIsa.Choose(null, KernelPath.Avx512));
        Assert.Equal(KernelPath.Avx2, KernelIsa.Choose("", KernelPath.Avx2));
    }

    [Theory]
    [InlineData("scalar", KernelPath.Avx512, KernelPath.Scalar)]
    [InlineData("AVX2", KernelPath.Avx512, KernelPath.Avx2)]
    [InlineData("avx512", KernelPath.Avx512, KernelPath.Avx512)]
    [InlineData("avx512", KernelPath.Avx2, KernelPath.Avx2)]
    [InlineData("avx2", KernelPath.Scalar, KernelPath.Scalar)]
    public void An_override_can_lower_the_path_but_never_raise_it_above_the_cpu(string requested, KernelPath best, KernelPath expected) =>
        Assert.Equal(expected, KernelIsa.Choose(requested, best));

    [Theory]
    [InlineData("sse")]
    [InlineData("1")]
    public void An_unknown_override_is_rejected_by_name(string requested)
    {
        var e = Assert.Throws<ArgumentException>(() => KernelIsa.Choose(requested, KernelPath.Avx512));
        Assert.Contains(KernelIsa.OverrideVariable, e.Message);
        Assert.Contains("Avx2", e.Message);
    }

    [Fact]
    public void The_active_path_is_one_the_cpu_can_run()
    {
        Assert.True(KernelIsa.CanRun(KernelIsa.Active));
        Assert.Equal(KernelIsa.Active >= KernelPath.Avx2, KernelIsa.Avx2Active);
    }
}
