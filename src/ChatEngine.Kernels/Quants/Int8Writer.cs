using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Quants;

/// <summary>Writes <c>scale * q</c> for 32 signed 8-bit levels with SIMD (one rounding per value, as in ggml).</summary>
internal static class Int8Writer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write32(ReadOnlySpan<byte> levels, float scale, Span<float> destination)
    {
        var packed = Vector256.Create(levels[..32]).AsSByte();
        var scaleVector = Vector256.Create(scale);
        var (low, high) = Vector256.Widen(packed);
        var (a, b) = Vector256.Widen(low);
        var (c, d) = Vector256.Widen(high);
        (Vector256.ConvertToSingle(a) * scaleVector).CopyTo(destination);
        (Vector256.ConvertToSingle(b) * scaleVector).CopyTo(destination[8..]);
        (Vector256.ConvertToSingle(c) * scaleVector).CopyTo(destination[16..]);
        (Vector256.ConvertToSingle(d) * scaleVector).CopyTo(destination[24..]);
    }
}
