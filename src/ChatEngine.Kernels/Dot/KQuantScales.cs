using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChatEngine.Kernels.Dot;

/// <summary>Unpacking of the 12-byte 6-bit scale fields of the K-quants.</summary>
internal static unsafe class KQuantScales
{
    /// <summary>
    /// Q4_K / Q5_K: 8 scales and 8 mins of 6 bits. Entries 0..3 are the low 6 bits of bytes 0..3 (scales) and 4..7
    /// (mins); entries 4..7 take their low 4 bits from the nibbles of bytes 8..11 and their top 2 bits from the top
    /// bits of bytes 0..3 (scales) / 4..7 (mins). Byte k of the results is entry k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DecodeQ4K(byte* packed, out ulong scales, out ulong mins)
    {
        var a0 = Unsafe.ReadUnaligned<uint>(packed);
        var a1 = Unsafe.ReadUnaligned<uint>(packed + 4);
        var a2 = Unsafe.ReadUnaligned<uint>(packed + 8);
        var scalesLow = a0 & 0x3f3f3f3f;
        var scalesHigh = (a2 & 0x0f0f0f0f) | (((a0 >> 6) & 0x03030303) << 4);
        var minsLow = a1 & 0x3f3f3f3f;
        var minsHigh = ((a2 >> 4) & 0x0f0f0f0f) | (((a1 >> 6) & 0x03030303) << 4);
        scales = scalesLow | ((ulong)scalesHigh << 32);
        mins = minsLow | ((ulong)minsHigh << 32);
    }

    /// <summary>
    /// Q3_K: 16 signed scales (6-bit value - 32) written to <paramref name="destination"/>. Low 4 bits: nibbles of
    /// bytes 0..7 (low nibbles for scales 0..7, high nibbles for 8..15); top 2 bits: bit pair j/4 of byte 8 + j%4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DecodeQ3K(byte* packed, sbyte* destination)
    {
        var a0 = Unsafe.ReadUnaligned<uint>(packed);
        var a1 = Unsafe.ReadUnaligned<uint>(packed + 4);
        var a2 = Unsafe.ReadUnaligned<uint>(packed + 8);
        const uint low4 = 0x0f0f0f0f, low2 = 0x03030303;
        Unsafe.WriteUnaligned(destination, (a0 & low4) | (((a2 >> 0) & low2) << 4));
        Unsafe.WriteUnaligned(destination + 4, (a1 & low4) | (((a2 >> 2) & low2) << 4));
        Unsafe.WriteUnaligned(destination + 8, ((a0 >> 4) & low4) | (((a2 >> 4) & low2) << 4));
        Unsafe.WriteUnaligned(destination + 12, ((a1 >> 4) & low4) | (((a2 >> 6) & low2) << 4));
        for (var j = 0; j < 16; j++) destination[j] = (sbyte)(destination[j] - 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Byte(ulong packed, int index) => (int)((packed >> (8 * index)) & 0xff);

    /// <summary>8 decoded scale bytes (<see cref="DecodeQ4K"/>) in both 128-bit halves, ready for <see cref="InAllLanes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> ScaleBytes(ulong packed) => Vector256.Create(Vector128.CreateScalar(packed).AsByte());

    /// <summary>Scale <paramref name="index"/> in all 16-bit lanes: one byte shuffle whose mask picks its byte and a zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> InAllLanes(Vector256<byte> scaleBytes, int index) =>
        Avx2.Shuffle(scaleBytes, Vector256.Create((ushort)(0x8000 | index)).AsByte()).AsInt16();
}
