using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>
/// Writes 16 dequantized values <c>scale * (level - bias) - offset</c> from 16 unsigned levels with SIMD. The integer
/// subtraction is exact and there is no fused multiply-add, so results equal ggml's scalar dequantizers bit for bit.
/// </summary>
internal static class LevelWriter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write16(Vector128<byte> levels, int bias, float scale, float offset, Span<float> destination)
    {
        var (low, high) = Vector256.Widen(Vector256.Create(Vector128.WidenLower(levels), Vector128.WidenUpper(levels)));
        var biasVector = Vector256.Create(bias);
        var scaleVector = Vector256.Create(scale);
        var offsetVector = Vector256.Create(offset);
        var first = Vector256.ConvertToSingle(low.AsInt32() - biasVector) * scaleVector - offsetVector;
        var second = Vector256.ConvertToSingle(high.AsInt32() - biasVector) * scaleVector - offsetVector;
        first.CopyTo(destination);
        second.CopyTo(destination[8..]);
    }

    /// <summary>Low nibbles of 16 packed bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> LowNibbles(Vector128<byte> packed) => packed & Vector128.Create((byte)0x0F);

    /// <summary>High nibbles of 16 packed bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> HighNibbles(Vector128<byte> packed) => Vector128.ShiftRightLogical(packed, 4);

    /// <summary>
    /// 16 bytes holding <paramref name="value"/> in lane j when bit j of <paramref name="bits"/> is set, else 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> SpreadBits(uint bits, byte value)
    {
        var bytes = Vector128.Create((ushort)bits).AsByte();
        var spread = Vector128.Shuffle(bytes, Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
        var lanes = Vector128.Create((byte)1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128);
        return Vector128.AndNot(Vector128.Create(value), Vector128.Equals(spread & lanes, Vector128<byte>.Zero));
    }
}
