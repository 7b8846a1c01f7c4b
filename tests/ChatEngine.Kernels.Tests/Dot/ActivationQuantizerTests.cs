using System.Buffers.Binary;
using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;
using Xunit;

namespace ChatEngine.Kernels.Tests.Dot;

public sealed unsafe class ActivationQuantizerTests
{
    [Theory]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q4_1)]
    public void Q8_0_and_Q8_1_blocks_hold_d_amax_over_127_and_quants_within_half_a_step(GgmlType weightType)
    {
        var random = new Random(7);
        var x = RandomBlocks.Activations(256, random);
        var y = Convert(weightType, x);
        var blockBytes = weightType == GgmlType.Q4_0 ? 34 : 36;
        var quantsOffset = blockBytes - 32;
        for (var b = 0; b < 8; b++)
        {
            var block = y.AsSpan(b * blockBytes, blockBytes);
            var xs = x.AsSpan(32 * b, 32);
            var amax = 0f;
            foreach (var v in xs) amax = Math.Max(amax, Math.Abs(v));
            Assert.Equal((Half)(amax / 127f), BinaryPrimitives.ReadHalfLittleEndian(block));
            var sum = 0;
            for (var j = 0; j < 32; j++)
            {
                var q = (sbyte)block[quantsOffset + j];
                sum += q;
                var exact = amax == 0 ? 0 : xs[j] * 127.0 / amax;
                Assert.True(Math.Abs(q - exact) <= 0.5 + 1e-5, $"block {b} element {j}: q {q} for {exact}");
                if (Math.Abs(xs[j]) == amax && amax != 0) Assert.Equal(Math.Sign(xs[j]) * 127, q);
            }
            if (weightType == GgmlType.Q4_1)
                Assert.Equal((Half)((amax / 127f) * sum), BinaryPrimitives.ReadHalfLittleEndian(block[2..]));
        }
    }

    [Fact]
    public void Q8_0_rounds_ties_to_even_like_ggml_avx2_quantize_row_q8_0()
    {
        // amax = 127 makes the multiplier exactly 1, so x itself is rounded: _mm256_round_ps(_MM_ROUND_NEAREST) gives
        // ties-to-even (2.5 -> 2), where the scalar reference's roundf would give 3.
        var x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = 3.5f;
        x[3] = -2.5f;
        x[4] = 0.5f;
        var y = Convert(GgmlType.Q8_0, x);
        Assert.Equal(1f, (float)BinaryPrimitives.ReadHalfLittleEndian(y));
        Assert.Equal(new sbyte[] { 127, 2, 4, -2, 0 }, y.AsSpan(2, 5).ToArray().Select(b => (sbyte)b));
    }

    [Fact]
    public void Q8_K_maps_the_largest_magnitude_to_minus_127_and_stores_16_element_sums()
    {
        var random = new Random(11);
        var x = RandomBlocks.Activations(512, random);
        var y = Convert(GgmlType.Q4_K, x);
        for (var b = 0; b < 2; b++)
        {
            var block = y.AsSpan(292 * b, 292);
            var xs = x.AsSpan(256 * b, 256);
            var argmax = 0;
            for (var j = 1; j < 256; j++) if (Math.Abs(xs[j]) > Math.Abs(xs[argmax])) argmax = j;
            var iscale = -127f / xs[argmax];
            Assert.Equal(1f / iscale, BinaryPrimitives.ReadSingleLittleEndian(block));
            Assert.Equal(-127, (sbyte)block[4 + argmax]);
            for (var j = 0; j < 256; j++) Assert.True(Math.Abs((sbyte)block[4 + j] - iscale * (double)xs[j]) <= 0.5 + 1e-4);
            for (var s = 0; s < 16; s++)
            {
                var sum = 0;
                for (var l = 0; l < 16; l++) sum += (sbyte)block[4 + 16 * s + l];
                Assert.Equal(sum, BinaryPrimitives.ReadInt16LittleEndian(block[(260 + 2 * s)..]));
            }
        }
    }

    [Fact]
    public void Q8_K_of_an_all_zero_block_is_all_zero()
    {
        var y = Convert(GgmlType.Q6_K, new float[256]);
        Assert.All(y, b => Assert.Equal(0, b));
    }

    [Fact]
    public void F16_and_BF16_activations_are_rounded_to_nearest_even()
    {
        var x = new[] { 1f + MathF.Pow(2, -8), 1f + 3 * MathF.Pow(2, -8), 1f + MathF.Pow(2, -11), 1f + 3 * MathF.Pow(2, -11), float.NaN, 70000f };
        var bf16 = Floats(Convert(GgmlType.BF16, x));
        Assert.Equal(1f, bf16[0]);
        Assert.Equal(1f + MathF.Pow(2, -6), bf16[1]);
        Assert.True(float.IsNaN(bf16[4]));
        Assert.Equal(70144f, bf16[5]);
        var f16 = Floats(Convert(GgmlType.F16, x));
        Assert.Equal(1f, f16[2]);
        Assert.Equal(1f + MathF.Pow(2, -9), f16[3]);
        Assert.True(float.IsPositiveInfinity(f16[5]));
    }

    [Fact]
    public void Scalar_half_conversion_matches_System_Half_for_all_65536_halves()
    {
        for (var i = 0; i < 65536; i++)
        {
            var bits = (ushort)i;
            var expected = (float)BitConverter.UInt16BitsToHalf(bits);
            var actual = HalfConversion.HalfToSingle((byte*)&bits);
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(actual), $"0x{i:x4}");
            else Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(actual));
        }
    }

    [SimdFact]
    public void Vector_half_conversion_matches_the_scalar_one_for_all_65536_halves()
    {
        var halves = new ushort[65536];
        for (var i = 0; i < halves.Length; i++) halves[i] = (ushort)i;
        var result = new float[8];
        fixed (ushort* h = halves)
        {
            for (var i = 0; i < halves.Length; i += 8)
            {
                System.Runtime.Intrinsics.Vector256.CopyTo(HalfConversion.HalvesToSingles((byte*)(h + i)), result);
                for (var k = 0; k < 8; k++)
                {
                    var expected = (float)BitConverter.UInt16BitsToHalf(halves[i + k]);
                    if (float.IsNaN(expected)) Assert.True(float.IsNaN(result[k]), $"0x{i + k:x4}");
                    else Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(result[k]));
                }
            }
        }
    }

    private static byte[] Convert(GgmlType weightType, float[] x)
    {
        var y = new byte[VecDot.ActivationRowBytes(weightType, x.Length)];
        VecDot.ConvertActivations(weightType, x, y);
        return y;
    }

    private static float[] Floats(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
