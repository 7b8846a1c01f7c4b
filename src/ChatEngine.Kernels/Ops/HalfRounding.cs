using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Ops;

/// <summary>
/// Rounds floats to the nearest F16 value, kept as floats, bitwise <c>(float)(Half)x</c>: what llama.cpp's F16 KV cache
/// path does to queries and attention weights, and its F16 weight kernels to their activations.
/// </summary>
/// <remarks>
/// The vector form rounds in the float encoding, without converting: a normal F16 keeps 10 of the 23 mantissa bits,
/// so adding 0xFFF plus the lowest kept bit and clearing the 13 others is round-half-to-even (a carry moves into the
/// exponent correctly); F16 subnormals are multiples of 2^-24, the spacing of floats in [0.5, 1), so (|x| + 0.5) - 0.5
/// rounds them to even; from 65520 up the result is infinity; NaNs are quieted and keep their top 10 payload bits.
/// </remarks>
public static class HalfRounding
{
    private const uint SignBit = 0x8000_0000;
    private const uint Infinity = 0x7F80_0000;
    private const uint SmallestNormalHalf = 0x3880_0000; // 2^-14
    private const uint FirstOverflow = 0x477F_F000; // 65520, halfway from the largest F16 (65504) to 65536
    private const uint QuietBit = 0x0040_0000;
    private const uint DroppedBits = 0x1FFF;

    public static void Round(Span<float> values) => Round(values, values);

    /// <summary>destination[i] = source[i] rounded; the two may be the same span.</summary>
    public static void Round(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source", nameof(destination));
        var i = 0;
        if (KernelIsa.Avx2Active)
            for (; i + Vector256<float>.Count <= source.Length; i += Vector256<float>.Count)
                Round(Vector256.Create(source[i..])).CopyTo(destination[i..]);
        for (; i < source.Length; i++) destination[i] = (float)(Half)source[i];
    }

    private static Vector256<float> Round(Vector256<float> x)
    {
        var bits = x.AsUInt32();
        var sign = bits & Vector256.Create(SignBit);
        var magnitude = bits & Vector256.Create(~SignBit);
        var normal = (magnitude + Vector256.Create(DroppedBits >> 1) + ((magnitude >> 13) & Vector256<uint>.One)) & Vector256.Create(~DroppedBits);
        var half = Vector256.Create(0.5f);
        var subnormal = ((magnitude.AsSingle() + half) - half).AsUInt32();
        var nan = (magnitude | Vector256.Create(QuietBit)) & Vector256.Create(~DroppedBits);
        var rounded = Vector256.ConditionalSelect(Vector256.LessThan(magnitude, Vector256.Create(SmallestNormalHalf)), subnormal, normal);
        rounded = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(magnitude, Vector256.Create(FirstOverflow)), Vector256.Create(Infinity), rounded);
        rounded = Vector256.ConditionalSelect(Vector256.GreaterThan(magnitude, Vector256.Create(Infinity)), nan, rounded);
        return (rounded | sign).AsSingle();
    }
}
