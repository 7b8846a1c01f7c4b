using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChatEngine.Kernels.Dot;

/// <summary>IEEE half and bfloat16 conversions, scalar and 8 lanes at a time.</summary>
internal static unsafe class HalfConversion
{
    /// <summary>The half at <paramref name="p"/> as a float; branch-light bit arithmetic, exact for every input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfToSingle(byte* p)
    {
        uint h = Unsafe.ReadUnaligned<ushort>(p);
        var shifted = (h & 0x7fff) << 13;
        // Scaling by 2^112 re-biases the exponent (15 -> 127) and normalizes half subnormals exactly.
        var magnitude = shifted >= 0x0f800000
            ? BitConverter.UInt32BitsToSingle(shifted | 0x7f800000)
            : BitConverter.UInt32BitsToSingle(shifted) * 5.192296858534828e33f;
        return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(magnitude) | ((h & 0x8000) << 16));
    }

    /// <summary>Rounds to the nearest bfloat16 (ties to even; NaN stays a quiet NaN), like ggml_compute_fp32_to_bf16.</summary>
    public static float RoundToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        uint upper = (bits & 0x7fffffff) > 0x7f800000
            ? (bits >> 16) | 64
            : (bits + 0x7fff + ((bits >> 16) & 1)) >> 16;
        return BitConverter.UInt32BitsToSingle(upper << 16);
    }

    /// <summary>Eight halves at <paramref name="p"/> as floats, exact for every input (subnormals, infinities, NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HalvesToSingles(byte* p) => HalvesToSingles(Avx2.ConvertToVector256Int32((ushort*)p));

    /// <summary>Eight halves, one in the low 16 bits of each lane (the upper bits are ignored), as floats; exact like the above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HalvesToSingles(Vector256<int> h)
    {
        var sign = Avx2.ShiftLeftLogical(Avx2.And(h, Vector256.Create(0x8000)), 16);
        var magnitude = Avx2.And(h, Vector256.Create(0x7fff));
        var shifted = Avx2.ShiftLeftLogical(magnitude, 13);
        // Scaling by 2^112 re-biases the exponent (15 -> 127) and normalizes half subnormals exactly.
        var finite = Avx.Multiply(shifted.AsSingle(), Vector256.Create(0x77800000).AsSingle());
        var special = Avx2.Or(shifted, Vector256.Create(0x7f800000)).AsSingle();
        var isSpecial = Avx2.CompareGreaterThan(magnitude, Vector256.Create(0x7bff)).AsSingle();
        return Avx.Or(Avx.BlendVariable(finite, special, isSpecial), sign.AsSingle());
    }

    /// <summary>Eight bfloat16 values at <paramref name="p"/> as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> BFloat16sToSingles(byte* p) =>
        Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((ushort*)p), 16).AsSingle();
}
