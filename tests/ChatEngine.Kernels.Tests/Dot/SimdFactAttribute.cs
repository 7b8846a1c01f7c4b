using ChatEngine.Kernels.Dot;
using Xunit;

namespace ChatEngine.Kernels.Tests.Dot;

/// <summary>A theory that exercises the AVX2 kernels; skipped with a visible reason where AVX2 + FMA are unavailable.</summary>
public sealed class SimdTheoryAttribute : TheoryAttribute
{
    public SimdTheoryAttribute()
    {
        if (!Avx2Helpers.IsSupported) Skip = "AVX2 + FMA not available (or disabled by DOTNET_EnableAVX2=0): SIMD kernels not exercised";
    }
}

/// <summary>A fact that exercises the AVX2 kernels; skipped with a visible reason where AVX2 + FMA are unavailable.</summary>
public sealed class SimdFactAttribute : FactAttribute
{
    public SimdFactAttribute()
    {
        if (!Avx2Helpers.IsSupported) Skip = "AVX2 + FMA not available (or disabled by DOTNET_EnableAVX2=0): SIMD kernels not exercised";
    }
}
