using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static ChatEngine.Kernels.Dot.HalfConversion;

namespace ChatEngine.Kernels.Dot;

/// <summary>Q8_0 weights x Q8_0 activations: per block sum(qx*qy) * dx * dy.</summary>
internal static unsafe class Q8_0Dot
{
    public static float Scalar(byte* x, byte* y, int count)
    {
        var sum = 0f;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q8_0Bytes, y += BlockLayout.Q8_0Bytes)
        {
            var qx = (sbyte*)(x + 2);
            var qy = (sbyte*)(y + 2);
            var sumi = 0;
            for (var j = 0; j < BlockLayout.QK; j++) sumi += qx[j] * qy[j];
            sum += sumi * (HalfToSingle(x) * HalfToSingle(y));
        }
        return sum;
    }

    public static float Simd(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.Q8_0Bytes, y += BlockLayout.Q8_0Bytes)
            acc = BlockStep(x, y, acc);
        return Avx2Helpers.HorizontalSum(acc);
    }

    /// <summary>Two blocks per step through 512-bit integer products, then <see cref="Simd"/>'s float steps in its order: bitwise <see cref="Simd"/>.</summary>
    public static float Avx512(byte* x, byte* y, int count)
    {
        var acc = Vector256<float>.Zero;
        var blocks = count / BlockLayout.QK;
        var block = 0;
        for (; block + 2 <= blocks; block += 2, x += 2 * BlockLayout.Q8_0Bytes, y += 2 * BlockLayout.Q8_0Bytes)
        {
            var products = Avx512F.ConvertToVector512Single(Avx512Helpers.DotSigned(
                Avx512Helpers.LoadHalves(x + 2, x + 2 + BlockLayout.Q8_0Bytes),
                Avx512Helpers.LoadHalves(y + 2, y + 2 + BlockLayout.Q8_0Bytes)));
            acc = Fma.MultiplyAdd(Vector256.Create(HalfToSingle(x) * HalfToSingle(y)), products.GetLower(), acc);
            var next = HalfToSingle(x + BlockLayout.Q8_0Bytes) * HalfToSingle(y + BlockLayout.Q8_0Bytes);
            acc = Fma.MultiplyAdd(Vector256.Create(next), products.GetUpper(), acc);
        }
        if (block < blocks) acc = BlockStep(x, y, acc);
        return Avx2Helpers.HorizontalSum(acc);
    }

    /// <summary>acc + one block's lane products, as <see cref="Simd"/> adds them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BlockStep(byte* x, byte* y, Vector256<float> acc)
    {
        var d = Vector256.Create(HalfToSingle(x) * HalfToSingle(y));
        var products = Avx2Helpers.DotSigned(Avx.LoadVector256((sbyte*)(x + 2)), Avx.LoadVector256((sbyte*)(y + 2)));
        return Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(products), acc);
    }
}
