using ChatEngine.Kernels.Tests.Dot;

namespace ChatEngine.Kernels.Tests.Ops;

internal static class OpsTestData
{
    public static float[] Gaussian(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (var i = 0; i < length; i++) x[i] = scale * RandomBlocks.Gaussian(random);
        return x;
    }

    public static void AssertClose(double expected, float actual, double relative, string what) =>
        Xunit.Assert.True(Math.Abs(actual - expected) <= relative * Math.Max(1e-30, Math.Abs(expected)),
            $"{what}: {actual} vs {expected}");
}
