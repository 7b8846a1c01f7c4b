using ChatEngine.Kernels.Ops;
using Xunit;
using static ChatEngine.Kernels.Tests.Ops.OpsTestData;

namespace ChatEngine.Kernels.Tests.Ops;

public sealed class ActivationsTests
{
    private static double Silu(double x) => x / (1 + Math.Exp(-x));

    private static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    [Fact]
    public void GeGlu_is_ggmls_f16_table_of_tanh_gelu_at_the_gate_rounded_to_f16_times_up()
    {
        var gate = Gaussian(1000, seed: 3, scale: 4f).Select(x => Math.Clamp(x, -9.99f, 9.99f)).ToArray();
        var up = Gaussian(1000, seed: 4, scale: 1f);
        var y = new float[gate.Length];
        Activations.GeGlu(gate, up, y);
        for (var i = 0; i < gate.Length; i++)
        {
            var expected = (float)(Half)GeluTanh((float)(Half)gate[i]) * up[i];
            Assert.True(Math.Abs(expected - y[i]) <= 1e-6 * Math.Abs(up[i]) + 1e-7, $"geglu({gate[i]}, {up[i]}) = {y[i]}, expected {expected}");
        }
    }

    [Theory]
    [InlineData(-10f, 3f, 0f)]
    [InlineData(-25f, 3f, 0f)]
    [InlineData(10f, 3f, 30f)]
    [InlineData(12.5f, 2f, 25f)]
    public void GeGlu_is_zero_from_minus_ten_down_and_the_gate_itself_from_ten_up(float gate, float up, float expected)
    {
        var y = new float[1];
        Activations.GeGlu([gate], [up], y);
        Assert.Equal(expected, y[0]);
    }

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
