using ChatEngine.Gguf;
using ChatEngine.Kernels.Quants;
using Xunit;
using Xunit.Abstractions;

namespace ChatEngine.Kernels.Tests.Quants;

/// <summary>Quantize then dequantize random and edge-case data for every type.</summary>
public class RoundTripTests(ITestOutputHelper output)
{
    public static TheoryData<GgmlType> AllTypes() =>
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q4_0, GgmlType.Q4_1,
        GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
        GgmlType.Q8_K,
    ];

    /// <summary>
    /// σ from a typical LLM weight scale (0.02) up. Much smaller blocks (σ ~ 1e-3) push the half-precision block
    /// scales into the F16 subnormal range, where their own rounding adds error beyond these bounds.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Gaussian_data_comes_back_within_the_type_quantization_error(GgmlType type)
    {
        foreach (var sigma in new[] { 0.02f, 1f, 50f })
        {
            var values = Gaussian(64 * 256, sigma, seed: (int)type);
            var restored = RoundTrip(type, values);
            var ratio = QuantError.RelativeRms(values, restored);
            output.WriteLine($"{type} σ={sigma}: relative RMS error {ratio:G4} (bound {QuantError.Bound(type)})");
            Assert.True(ratio <= QuantError.Bound(type), $"{type} σ={sigma}: relative RMS error {ratio:G4} > {QuantError.Bound(type)}");
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Zeros_stay_exactly_zero(GgmlType type)
    {
        var values = new float[2 * 256];
        Assert.All(RoundTrip(type, values), v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void A_constant_block_comes_back_within_the_type_quantization_error(GgmlType type)
    {
        foreach (var constant in new[] { 0.75f, -3.5f })
        {
            var values = Enumerable.Repeat(constant, 256).ToArray();
            var ratio = QuantError.RelativeRms(values, RoundTrip(type, values));
            Assert.True(ratio <= QuantError.Bound(type), $"{type} constant {constant}: relative RMS error {ratio:G4}");
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Each_block_is_independent_of_the_others(GgmlType type)
    {
        var block = GgmlTypeInfo.BlockSize(type) == 1 ? 32 : GgmlTypeInfo.BlockSize(type);
        var values = Gaussian(4 * block, 1f, seed: 7);
        var whole = Quantize(type, values);
        var blockBytes = (int)GgmlTypeInfo.RowBytes(type, block);
        for (var b = 0; b < 4; b++)
        {
            var alone = Quantize(type, values.AsSpan(b * block, block).ToArray());
            Assert.Equal(alone, whole.AsSpan(b * blockBytes, blockBytes).ToArray());
        }
    }

    [Fact]
    public void F32_round_trip_is_exact()
    {
        var values = Gaussian(1000, 3f, seed: 1);
        Assert.Equal(values, RoundTrip(GgmlType.F32, values));
    }

    [Fact]
    public void F16_rounds_each_value_to_nearest_even_half()
    {
        // 1 + 2^-11 is halfway between the halves 1 and 1 + 2^-10: ties go to the even significand (1).
        // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 and 1 + 2^-9: ties go to 1 + 2^-9.
        float[] values = [1f + 1f / 2048, 1f + 3f / 2048, 65504f, 1e-8f, -2.5f];
        float[] expected = [1f, 1f + 1f / 512, 65504f, 0f, -2.5f];
        Assert.Equal(expected, RoundTrip(GgmlType.F16, values));
    }

    [Fact]
    public void BF16_rounds_each_value_to_nearest_even_and_keeps_NaN_a_NaN()
    {
        // bf16 keeps 8 significand bits: 1 + 2^-8 is a tie (-> 1), 1 + 3 * 2^-8 a tie (-> 1 + 2^-6), 1 + 2^-8 + 2^-20 rounds up.
        float[] values = [1f + 1f / 256, 1f + 3f / 256, 1f + 1f / 256 + 1f / (1 << 20), float.NaN, -0f];
        var restored = RoundTrip(GgmlType.BF16, values);
        Assert.Equal(1f, restored[0]);
        Assert.Equal(1f + 1f / 64, restored[1]);
        Assert.Equal(1f + 1f / 128, restored[2]);
        Assert.True(float.IsNaN(restored[3]));
        Assert.True(float.IsNegative(restored[4]) && restored[4] == 0f);
    }

    [Fact]
    public void Q8_0_error_per_value_is_at_most_half_a_step()
    {
        // Levels are round(x / d) with d = amax / 127 stored as a half; the half rounding of d moves a level of at
        // most 127 by at most 127 * 2^-11 * d, so every value is within (0.5 + 127/2048) * d of its source.
        var values = Gaussian(64 * 32, 1f, seed: 3);
        var bytes = Quantize(GgmlType.Q8_0, values);
        var restored = Dequantize(GgmlType.Q8_0, bytes, values.Length);
        for (var b = 0; b < values.Length / 32; b++)
        {
            var amax = values.AsSpan(b * 32, 32).ToArray().Max(MathF.Abs);
            var step = amax / 127;
            for (var i = b * 32; i < b * 32 + 32; i++)
                Assert.True(MathF.Abs(values[i] - restored[i]) <= (0.5f + 127f / 2048) * step * 1.0001f, $"value {i}");
        }
    }

    [Fact]
    public void Q8_K_keeps_the_block_scale_in_full_precision_and_the_sums_of_16_levels()
    {
        var values = Gaussian(256, 2f, seed: 5);
        var bytes = Quantize(GgmlType.Q8_K, values);
        var d = BitConverter.ToSingle(bytes, 0);
        var amax = values.Max(MathF.Abs);
        Assert.Equal(amax / 127, MathF.Abs(d), 6);
        for (var j = 0; j < 16; j++)
        {
            var sum = 0;
            for (var i = 0; i < 16; i++) sum += (sbyte)bytes[4 + 16 * j + i];
            Assert.Equal(sum, BitConverter.ToInt16(bytes, 260 + 2 * j));
        }
    }

    [Theory]
    [InlineData(GgmlType.Q4_0, 33, 18)]
    [InlineData(GgmlType.Q4_K, 128, 72)]
    public void A_partial_block_is_rejected_naming_the_counts(GgmlType type, int values, int bytes)
    {
        var e = Assert.Throws<ArgumentException>(() => QuantFormats.Quantize(type, new float[values], new byte[bytes]));
        Assert.Contains(values.ToString(), e.Message);
        Assert.Contains(GgmlTypeInfo.BlockSize(type).ToString(), e.Message);
    }

    [Fact]
    public void A_wrong_byte_count_is_rejected_naming_both_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => QuantFormats.Dequantize(GgmlType.Q6_K, new byte[209], new float[256]));
        Assert.Contains("210", e.Message);
        Assert.Contains("209", e.Message);
        Assert.Equal("source", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => QuantFormats.Quantize(GgmlType.Q8_0, new float[64], new byte[70]));
        Assert.Contains("68", e.Message);
        Assert.Equal("destination", e.ParamName);
    }

    [Fact]
    public void An_unknown_type_is_rejected()
    {
        Assert.Throws<NotSupportedException>(() => QuantFormats.Dequantize((GgmlType)99, new byte[4], new float[1]));
        Assert.Throws<NotSupportedException>(() => QuantFormats.Quantize((GgmlType)99, new float[1], new byte[4]));
    }

    private static float[] RoundTrip(GgmlType type, float[] values) => Dequantize(type, Quantize(type, values), values.Length);

    private static byte[] Quantize(GgmlType type, float[] values)
    {
        var bytes = new byte[GgmlTypeInfo.RowBytes(type, values.Length)];
        QuantFormats.Quantize(type, values, bytes);
        return bytes;
    }

    private static float[] Dequantize(GgmlType type, byte[] bytes, int count)
    {
        var values = new float[count];
        QuantFormats.Dequantize(type, bytes, values);
        return values;
    }

    /// <summary>Seeded N(0, sigma) samples (Box-Muller).</summary>
    private static float[] Gaussian(int count, float sigma, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return values;
    }
}
