using ChatEngine.Kernels.Ops;
using ChatEngine.Kernels.Tests.Dot;
using Xunit;

namespace ChatEngine.Kernels.Tests.Ops;

public sealed class HalfRoundingTests
{
    /// <summary>Both signs of: zero, the smallest and largest F16 subnormals and normals, exact ties between two F16s
    /// (even and odd below), the overflow boundary 65520 and its neighbours, infinity and NaNs with payloads.</summary>
    private static readonly uint[] EdgeBits =
    [
        0x0000_0000, 0x3300_0000, 0x3300_0001, 0x3380_0000, 0x33C0_0000, 0x3400_0000, 0x387F_C000, 0x387F_E000, 0x387F_FFFF,
        0x3880_0000, 0x3880_1000, 0x3880_3000, 0x3F80_1000, 0x3F80_1001, 0x3F80_3000, 0x3FFF_F000, 0x477F_E000, 0x477F_EFFF,
        0x477F_F000, 0x477F_F001, 0x4780_0000, 0x7F7F_FFFF, 0x7F80_0000, 0x7F80_0001, 0x7FC0_0000, 0x7FFF_FFFF, 0x7FA0_2000,
        0x0000_0001, 0x007F_FFFF, 0x0080_0000,
    ];

    [SimdFact]
    public void Every_sampled_bit_pattern_rounds_as_the_half_cast_does()
    {
        var bits = EdgeBits.Concat(EdgeBits.Select(b => b | 0x8000_0000)).ToList();
        for (var pattern = 0u; pattern < 1u << 24; pattern++) bits.Add(pattern * 256 + (pattern & 0xFF));
        var values = bits.Select(BitConverter.UInt32BitsToSingle).ToArray();
        var rounded = values.ToArray();
        HalfRounding.Round(rounded);
        for (var i = 0; i < values.Length; i++)
            if (BitConverter.SingleToUInt32Bits(rounded[i]) != BitConverter.SingleToUInt32Bits((float)(Half)values[i]))
                Assert.Fail($"0x{bits[i]:X8}: got 0x{BitConverter.SingleToUInt32Bits(rounded[i]):X8}, the cast gives 0x{BitConverter.SingleToUInt32Bits((float)(Half)values[i]):X8}");
    }

    [Fact]
    public void A_separate_destination_gets_the_rounded_values_and_the_source_is_kept()
    {
        float[] source = [1.0009765625f, 0.1f, -65520f, 3e-8f, 1f / 3, 2.5f, 1e-5f, 70000f, 0.333f];
        var destination = new float[source.Length];
        var copy = source.ToArray();
        HalfRounding.Round(source, destination);
        Assert.Equal(copy, source);
        Assert.Equal(source.Select(v => (float)(Half)v), destination);
    }
}
