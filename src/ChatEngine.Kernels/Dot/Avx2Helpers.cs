using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChatEngine.Kernels.Dot;

/// <summary>Building blocks of the AVX2 integer dot products (the same decompositions ggml's x86 kernels use).</summary>
internal static unsafe class Avx2Helpers
{
    /// <summary>Pairwise sums of 16-bit lanes into 8 int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> SumPairs(Vector256<short> v) => Avx2.MultiplyAddAdjacent(v, Vector256.Create((short)1));

    /// <summary>Signed int8 x int8 products summed in groups of four into 8 int32 lanes.</summary>
    /// <remarks>vpmaddubsw wants an unsigned left operand: use |x| and move x's sign onto y (never saturates for y in [-127, 127]).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotSigned(Vector256<sbyte> x, Vector256<sbyte> y)
    {
        var ax = Avx2.Sign(x, x).AsByte();
        var sy = Avx2.Sign(y, x);
        return SumPairs(Avx2.MultiplyAddAdjacent(ax, sy));
    }

    /// <summary>Unsigned (small) x signed int8 products summed in groups of four into 8 int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotUnsigned(Vector256<byte> x, Vector256<sbyte> y) => SumPairs(Avx2.MultiplyAddAdjacent(x, y));

    /// <summary>16 bytes of packed nibbles as 32 bytes: the 16 low nibbles, then the 16 high nibbles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Nibbles32(byte* p)
    {
        var packed = Sse2.LoadVector128(p);
        var mask = Vector128.Create((byte)0x0f);
        var low = Sse2.And(packed, mask);
        var high = Sse2.And(Sse2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(), mask);
        return Vector256.Create(low, high);
    }

    /// <summary>Low nibbles of 32 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> LowNibbles(Vector256<byte> v) => Avx2.And(v, Vector256.Create((byte)0x0f));

    /// <summary>High nibbles of 32 bytes, shifted down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> HighNibbles(Vector256<byte> v) =>
        Avx2.And(Avx2.ShiftRightLogical(v.AsUInt16(), 4).AsByte(), Vector256.Create((byte)0x0f));

    /// <summary>The 32 bits at <paramref name="p"/> spread to 32 bytes: 0xFF where the bit is set, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> BytesFromBits32(byte* p)
    {
        var bits = Unsafe.ReadUnaligned<uint>(p);
        var spread = Vector256.Create(0x0000000000000000UL, 0x0101010101010101UL, 0x0202020202020202UL, 0x0303030303030303UL).AsByte();
        var bytes = Avx2.Shuffle(Vector256.Create(bits).AsByte(), spread);
        // Byte k of each 8-byte group keeps only bit k cleared, so it becomes 0xFF exactly when bit k is set.
        bytes = Avx2.Or(bytes, Vector256.Create(0x7fbfdfeff7fbfdfeUL).AsByte());
        return Avx2.CompareEqual(bytes, Vector256<byte>.AllBitsSet);
    }

    /// <summary>
    /// ggml's GGML_F32_VEC_REDUCE of four 8-lane accumulators: (0+2) + (1+3) lane-wise, then the lower and upper
    /// halves added and the four lanes summed as (0+1) + (2+3) (two horizontal adds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReduceFourAccumulators(Vector256<float> acc0, Vector256<float> acc1, Vector256<float> acc2, Vector256<float> acc3)
    {
        var merged = Avx.Add(Avx.Add(acc0, acc2), Avx.Add(acc1, acc3));
        var halves = Sse.Add(merged.GetLower(), merged.GetUpper());
        var pairs = Sse3.HorizontalAdd(halves, halves);
        return Sse3.HorizontalAdd(pairs, pairs).ToScalar();
    }

    /// <summary>Sum of the 8 lanes in ggml's hsum_float_8 order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HorizontalSum(Vector256<float> v)
    {
        return HorizontalSum(Sse.Add(v.GetLower(), v.GetUpper()));
    }

    /// <summary>Sum of 4 lanes in ggml's order: (v0 + v2) + (v1 + v3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HorizontalSum(Vector128<float> v)
    {
        var s = Sse.Add(v, Sse.MoveHighToLow(v, v));
        s = Sse.AddScalar(s, Sse3.MoveHighAndDuplicate(s));
        return s.ToScalar();
    }

    /// <summary>Sum of the 4 int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HorizontalSum(Vector128<int> v)
    {
        var s = Sse2.Add(v, Sse2.Shuffle(v, 0b_01_00_11_10));
        s = Sse2.Add(s, Sse2.Shuffle(s, 0b_10_11_00_01));
        return s.ToScalar();
    }

    /// <summary>Sum of the 8 int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HorizontalSum(Vector256<int> v)
    {
        var s = Sse2.Add(v.GetLower(), v.GetUpper());
        s = Sse2.Add(s, Sse2.Shuffle(s, 0b_01_00_11_10));
        s = Sse2.Add(s, Sse2.Shuffle(s, 0b_10_11_00_01));
        return s.ToScalar();
    }

    /// <summary>16 int16 lanes: the first 8 equal to <paramref name="low"/>, the last 8 to <paramref name="high"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> Scales16(int low, int high) =>
        Vector256.Create(Vector128.Create((short)low), Vector128.Create((short)high));
}
