using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Building blocks of the AVX-512 (F, BW, VL) integer dot products. Each gives in every 32-bit lane the integer the
/// AVX2 building block of the same name gives in the lane of the same position in its 256-bit half, so kernels built
/// from them can repeat the AVX2 kernels' float steps and match them bitwise.
/// </summary>
internal static unsafe class Avx512Helpers
{
    /// <summary>Signed int8 x int8 products summed in groups of four into 16 int32 lanes (<see cref="Avx2Helpers.DotSigned"/>).</summary>
    /// <remarks>AVX-512 has no vpsignb: x's sign moves onto y by a masked negation instead.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> DotSigned(Vector512<sbyte> x, Vector512<sbyte> y)
    {
        var signedY = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<sbyte>.Zero), Vector512<sbyte>.Zero - y, y);
        return Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(x), signedY), Vector512.Create((short)1));
    }

    /// <summary>Two 256-bit loads as one vector: the first in the lower half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> LoadHalves(byte* lower, byte* upper) =>
        Vector512.Create(Avx.LoadVector256((sbyte*)lower), Avx.LoadVector256((sbyte*)upper));
}
