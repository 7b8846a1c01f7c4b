using System.Runtime.Intrinsics.X86;

namespace ChatEngine.Kernels;

/// <summary>The instruction sets a kernel path needs, in increasing order: each path may use the ones below it.</summary>
public enum KernelPath
{
    /// <summary>Plain C#: the reference every other path is tested against.</summary>
    Scalar,

    /// <summary>AVX2 + FMA: the path the golden data is bitwise reproduced on.</summary>
    Avx2,

    /// <summary>AVX2 + FMA plus AVX-512 F, BW and VL for the integer dot products.</summary>
    Avx512,
}

/// <summary>
/// The one place that decides which kernel path runs, once per process: the best path the CPU reports (the
/// <c>DOTNET_EnableAVX2</c> / <c>DOTNET_EnableAVX512F</c> switches count as not reported), lowered by
/// <see cref="OverrideVariable"/> when that names a lower path, so a test run or a user can force AVX2 or scalar.
/// </summary>
public static class KernelIsa
{
    /// <summary>Environment variable naming a path (<c>scalar</c>, <c>avx2</c>, <c>avx512</c>) to use instead of the best one.</summary>
    public const string OverrideVariable = "CHATENGINE_KERNELS";

    /// <summary>The best path this CPU can run.</summary>
    public static KernelPath Best { get; } = Detect();

    /// <summary>The path the kernels take in this process.</summary>
    public static KernelPath Active { get; } = Choose(Environment.GetEnvironmentVariable(OverrideVariable), Best);

    /// <summary>True when the active path includes AVX2 + FMA.</summary>
    public static bool Avx2Active => Active >= KernelPath.Avx2;

    /// <summary>True when this CPU can run <paramref name="path"/> (kernels can be called on it even when it is not active).</summary>
    public static bool CanRun(KernelPath path) => path <= Best;

    /// <summary><paramref name="best"/>, or the lower path <paramref name="requested"/> names; an unknown name is an error.</summary>
    internal static KernelPath Choose(string? requested, KernelPath best)
    {
        if (string.IsNullOrEmpty(requested)) return best;
        if (!Enum.TryParse<KernelPath>(requested, ignoreCase: true, out var path) || !Enum.IsDefined(path) || char.IsDigit(requested[0]))
            throw new ArgumentException($"{OverrideVariable}={requested}: expected one of {string.Join(", ", Enum.GetNames<KernelPath>())}");
        return path < best ? path : best;
    }

    private static KernelPath Detect()
    {
        if (!Avx2.IsSupported || !Fma.IsSupported) return KernelPath.Scalar;
        return Avx512F.IsSupported && Avx512BW.IsSupported && Avx512F.VL.IsSupported && Avx512BW.VL.IsSupported
            ? KernelPath.Avx512
            : KernelPath.Avx2;
    }
}
