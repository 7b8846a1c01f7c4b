using ChatEngine.Kernels.Ops;
using Xunit;
using static ChatEngine.Kernels.Tests.Ops.OpsTestData;

namespace ChatEngine.Kernels.Tests.Ops;

public sealed class ActivationsTests
{
    private static double Silu(double x) => x / (1 + Math.Exp(-x));

    [Fact]
    public void Silu_matches_x_over_one_plus_exp_minus_x()
    {
        var x = Gaussian(1000, seed: 1, scale: 6f);
        var y = new float[x.Length];
        Activations.Silu(x, y);
        for (var i = 0; i < x.Length; i++) AssertClose(Silu(x[i]), y[i], 2e-6, $"silu({x[i]})");
    }

    [Theory]
    [InlineData(768)]
    [InlineData(1000)]
    public void SwiGlu_is_silu_of_gate_times_up_also_in_place(int length)
    {
        var gate = Gaussian(length, seed: 2, scale: 3f);
        var up = Gaussian(length, seed: 3);
        var output = new float[length];
        Activations.SwiGlu(gate, up, output);
        for (var i = 0; i < length; i++) AssertClose(Silu(gate[i]) * up[i], output[i], 3e-6, $"element {i}");
        var inPlace = (float[])gate.Clone();
        Activations.SwiGlu(inPlace, up, inPlace);
        Assert.Equal(output, inPlace);
        Assert.Throws<ArgumentException>(() => Activations.SwiGlu(gate, up.AsSpan(1), output));
    }

    [Fact]
    public void Add_sums_element_wise_and_checks_lengths()
    {
        var a = Gaussian(100, seed: 4);
        var b = Gaussian(100, seed: 5);
        var sum = new float[100];
        VectorOps.Add(a, b, sum);
        for (var i = 0; i < 100; i++) Assert.Equal(a[i] + b[i], sum[i]);
        VectorOps.AddInPlace(a, b);
        Assert.Equal(sum, a);
        Assert.Throws<ArgumentException>(() => VectorOps.Add(a, b.AsSpan(1), sum));
    }
}
