using System.Runtime.Intrinsics;
using ChatEngine.Kernels.Ops;
using ChatEngine.Kernels.Tests.Dot;
using Xunit;

namespace ChatEngine.Kernels.Tests.Ops;

public sealed class PolynomialExpTests
{
    private static float[] Inputs()
    {
        var random = new Random(7);
        var values = new List<float> { 0f, -0f, 1f, -1f, 88f, 88.7f, 89f, -87f, -100f, -103f, -104f, -150f, float.NegativeInfinity };
        for (var i = 0; i < 20000; i++) values.Add((float)(random.NextDouble() * 200 - 110));
        for (var i = 0; i < 4000; i++) values.Add((float)(random.NextDouble() * 2 - 1));
        while (values.Count % 8 != 0) values.Add(0.5f);
        return [.. values];
    }

    [Fact]
    public void Is_within_two_ulp_of_exp_across_the_normal_range()
    {
        foreach (var x in Inputs())
        {
            var expected = Math.Exp(x);
            var actual = PolynomialExp.Exp(x);
            if (expected < 1e-37 || expected > 3e38)
            {
                // Subnormal or overflowing results: within two subnormal steps, or flushed as the routine documents.
                Assert.True(actual == 0 || float.IsInfinity(actual) || Math.Abs(actual - expected) <= 2 * float.Epsilon || Math.Abs(actual - expected) <= 1e-3 * expected,
                    $"exp({x}) = {actual}");
                continue;
            }
            var ulp = MathF.BitIncrement((float)expected) - (float)expected;
            Assert.True(Math.Abs(actual - expected) <= 2 * ulp, $"exp({x}): {actual} vs {expected}");
        }
        Assert.Equal(0f, PolynomialExp.Exp(float.NegativeInfinity));
    }

    [SimdFact]
    public void Vector_form_gives_the_scalar_form_bit_for_bit()
    {
        var inputs = Inputs();
        for (var i = 0; i < inputs.Length; i += 8)
        {
            var vector = PolynomialExp.Exp(Vector256.Create(inputs, i));
            for (var lane = 0; lane < 8; lane++)
                Assert.Equal(BitConverter.SingleToInt32Bits(PolynomialExp.Exp(inputs[i + lane])), BitConverter.SingleToInt32Bits(vector[lane]));
        }
    }
}
