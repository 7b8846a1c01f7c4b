using ChatEngine.Kernels.Ops;
using Xunit;
using static ChatEngine.Kernels.Tests.Ops.OpsTestData;

namespace ChatEngine.Kernels.Tests.Ops;

public sealed class RopeTests
{
    /// <summary>The formula in float64: pair i rotated by theta_i = pos * base^(-2i/n_dims) * freq_scale.</summary>
    private static double[] Reference(float[] head, int position, int rotaryDims, double freqBase, double freqScale, RopeMode mode)
    {
        var y = head.Select(v => (double)v).ToArray();
        for (var i = 0; i < rotaryDims / 2; i++)
        {
            var theta = position * Math.Pow(freqBase, -2.0 * i / rotaryDims) * freqScale;
            var (a, b) = mode == RopeMode.Normal ? (2 * i, 2 * i + 1) : (i, i + rotaryDims / 2);
            y[a] = head[a] * Math.Cos(theta) - head[b] * Math.Sin(theta);
            y[b] = head[a] * Math.Sin(theta) + head[b] * Math.Cos(theta);
        }
        return y;
    }

    [Theory]
    [InlineData(RopeMode.Normal, 32, 32, 10000f, 1f, 7)]
    [InlineData(RopeMode.Normal, 32, 32, 10000f, 1f, 511)]
    [InlineData(RopeMode.NeoX, 32, 32, 1000000f, 1f, 300)]
    [InlineData(RopeMode.NeoX, 64, 32, 10000f, 0.25f, 100)]
    [InlineData(RopeMode.Normal, 128, 64, 500000f, 1f, 4000)]
    public void Each_head_matches_the_rotation_formula(RopeMode mode, int headDim, int rotaryDims, float freqBase, float freqScale, int position)
    {
        const int heads = 3;
        var x = Gaussian(heads * headDim, seed: position);
        var y = (float[])x.Clone();
        Rope.Apply(y, heads, headDim, position, rotaryDims, freqBase, freqScale, mode);
        for (var h = 0; h < heads; h++)
        {
            var head = x.AsSpan(h * headDim, headDim).ToArray();
            var expected = Reference(head, position, rotaryDims, freqBase, freqScale, mode);
            for (var d = 0; d < headDim; d++)
            {
                // theta is a float built by repeated multiplication (as ggml does): its error grows ~pos * i * 6e-8.
                var tolerance = 1e-6 + 1.5e-7 * position * Math.Sqrt(rotaryDims);
                Assert.True(Math.Abs(y[h * headDim + d] - expected[d]) <= tolerance,
                    $"{mode} head {h} dim {d}: {y[h * headDim + d]} vs {expected[d]}");
                if (d >= rotaryDims) Assert.Equal(x[h * headDim + d], y[h * headDim + d]);
            }
        }
    }

    [Fact]
    public void Position_zero_is_the_identity_and_the_two_modes_pair_different_dimensions()
    {
        var x = Gaussian(32, seed: 1);
        var y = (float[])x.Clone();
        Rope.Apply(y, 1, 32, 0, 32, 10000f, 1f, RopeMode.Normal);
        Assert.Equal(x, y);
        var normal = (float[])x.Clone();
        var neox = (float[])x.Clone();
        Rope.Apply(normal, 1, 32, 5, 32, 10000f, 1f, RopeMode.Normal);
        Rope.Apply(neox, 1, 32, 5, 32, 10000f, 1f, RopeMode.NeoX);
        Assert.NotEqual(normal, neox);
        // The first pair rotates by exactly pos radians in both modes: (x0, x1) in normal, (x0, x16) in NeoX.
        AssertClose(x[0] * Math.Cos(5) - x[1] * Math.Sin(5), normal[0], 1e-5, "normal x0");
        AssertClose(x[0] * Math.Cos(5) - x[16] * Math.Sin(5), neox[0], 1e-5, "neox x0");
    }

    [Fact]
    public void Frequency_factors_divide_each_pair_s_angle()
    {
        const int dims = 64, position = 3000;
        var factors = Enumerable.Range(0, dims / 2).Select(i => i < 8 ? 1f : i < 20 ? 4f : 32f).ToArray();
        var (cos, sin) = (new float[dims / 2], new float[dims / 2]);
        Rope.ComputeAngles(position, dims, 500000f, 1f, factors, cos, sin);
        for (var i = 0; i < dims / 2; i++)
        {
            var angle = position * Math.Pow(500000.0, -2.0 * i / dims) / factors[i];
            var tolerance = 1e-6 + 1.5e-7 * position * Math.Sqrt(dims);
            AssertClose(Math.Cos(angle), cos[i], tolerance, $"cos {i}");
            AssertClose(Math.Sin(angle), sin[i], tolerance, $"sin {i}");
        }
        Assert.Throws<ArgumentException>(() => Rope.ComputeAngles(position, dims, 500000f, 1f, new float[dims / 2 - 1], cos, sin));
    }

    [Fact]
    public void Bad_dimensions_are_rejected()
    {
        var x = new float[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => Rope.Apply(x, 2, 32, 1, 31, 10000f, 1f, RopeMode.Normal));
        Assert.Throws<ArgumentException>(() => Rope.Apply(x, 2, 32, 1, 64, 10000f, 1f, RopeMode.Normal));
        Assert.Throws<ArgumentException>(() => Rope.Apply(x, 3, 32, 1, 32, 10000f, 1f, RopeMode.Normal));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rope.Rotate(x, new float[4], new float[4], (RopeMode)7));
    }
}
