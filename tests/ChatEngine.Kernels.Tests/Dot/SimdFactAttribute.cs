using Xunit;

namespace ChatEngine.Kernels.Tests.Dot;

/// <summary>A theory that exercises the AVX2 kernels; skipped with a visible reason where AVX2 + FMA are unavailable.</summary>
public sealed class SimdTheoryAttribute : TheoryAttribute
{
    public SimdTheoryAttribute()
    {
        if (!KernelIsa.Avx2Active) Skip = Avx512FactAttribute.Reason(KernelPath.Avx2);
    }
}

/// <summary>A fact that exercises the AVX2 kernels; skipped with a visible reason where AVX2 + FMA are unavailable.</summary>
public sealed class SimdFactAttribute : FactAttribute
{
    public SimdFactAttribute()
    {
        if (!KernelIsa.Avx2Active) Skip = Avx512FactAttribute.Reason(KernelPath.Avx2);
    }
}

/// <summary>A theory that calls the AVX-512 kernels directly; skipped with a visible reason where the CPU lacks them.</summary>
public sealed class Avx512TheoryAttribute : TheoryAttribute
{
    public Avx512TheoryAttribute()
    {
        if (!KernelIsa.CanRun(KernelPath.Avx512)) Skip = Avx512FactAttribute.Reason(KernelPath.Avx512);
    }
}

/// <summary>A fact that calls the AVX-512 kernels directly; skipped with a visible reason where the CPU lacks them.</summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!KernelIsa.CanRun(KernelPath.Avx512)) Skip = Reason(KernelPath.Avx512);
    }

    internal static string Reason(KernelPath path) =>
        $"kernel path {path} not available here (best {KernelIsa.Best}, active {KernelIsa.Active}; DOTNET_Enable* switches and {KernelIsa.OverrideVariable} count): not exercised";
}
