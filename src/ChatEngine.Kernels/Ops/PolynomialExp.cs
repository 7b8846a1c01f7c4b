using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChatEngine.Kernels.Ops;

/// <summary>
/// exp(x) in float by the range reduction and degree-5 polynomial that ggml's x86 CPU backend uses for its vectorized
/// softmax and SiLU (the Arm optimized-routines expf scheme): n = round(x / ln 2), r = x - n ln 2 in two parts,
/// exp(r) by polynomial, then scaling by 2^n with a two-factor path when |n| > 126. It can differ from the correctly
/// rounded exp by about 2 ulp; computing exactly this function keeps attention weights and activations bit-identical
/// to llama.cpp's, which is what the golden comparisons need. The scalar and vector forms give identical results.
/// </summary>
public static class PolynomialExp
{
    private static readonly float Shifter = BitConverter.Int32BitsToSingle(0x4B400000); // 1.5 * 2^23
    private static readonly float InverseLn2 = BitConverter.Int32BitsToSingle(0x3FB8AA3B);
    private static readonly float Ln2High = BitConverter.Int32BitsToSingle(0x3F317200);
    private static readonly float Ln2Low = BitConverter.Int32BitsToSingle(0x35BFBE8E);
    private static readonly float C0 = BitConverter.Int32BitsToSingle(0x3F7FFFF6);
    private static readonly float C1 = BitConverter.Int32BitsToSingle(0x3EFFFEDB);
    private static readonly float C2 = BitConverter.Int32BitsToSingle(0x3E2AAF33);
    private static readonly float C3 = BitConverter.Int32BitsToSingle(0x3D2B9F17);
    private static readonly float C4 = BitConverter.Int32BitsToSingle(0x3C072010);
    private const int OneBits = 0x3F800000;
    private const uint NegativeScaleBias = 0x82000000;
    private const int ScaleBias = 0x7F000000;

    public static float Exp(float x)
    {
        var z = MathF.FusedMultiplyAdd(x, InverseLn2, Shifter);
        var n = z - Shifter;
        var b = MathF.FusedMultiplyAdd(-n, Ln2Low, MathF.FusedMultiplyAdd(-n, Ln2High, x));
        var e = BitConverter.SingleToInt32Bits(z) << 23;
        var k = BitConverter.Int32BitsToSingle(e + OneBits);
        var u = b * b;
        var j = MathF.FusedMultiplyAdd(
            MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(C4, b, C3), u, MathF.FusedMultiplyAdd(C2, b, C1)), u, C0 * b);
        if (!(MathF.Abs(n) > 126)) return MathF.FusedMultiplyAdd(j, k, k);
        var g = n <= 0 ? unchecked((int)NegativeScaleBias) : 0;
        var s1 = BitConverter.Int32BitsToSingle(g + ScaleBias);
        var s2 = BitConverter.Int32BitsToSingle(e - g);
        return MathF.Abs(n) > 192 ? s1 * s1 : MathF.FusedMultiplyAdd(s2, j, s2) * s1;
    }

    /// <summary>The same function on 8 lanes; requires <see cref="KernelIsa.Avx2Active"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var shifter = Vector256.Create(Shifter);
        var z = Fma.MultiplyAdd(x, Vector256.Create(InverseLn2), shifter);
        var n = Avx.Subtract(z, shifter);
        var b = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Low), Fma.MultiplyAddNegated(n, Vector256.Create(Ln2High), x));
        var e = Avx2.ShiftLeftLogical(z.AsInt32(), 23);
        var k = Avx2.Add(e, Vector256.Create(OneBits)).AsSingle();
        var u = Avx.Multiply(b, b);
        var j = Fma.MultiplyAdd(
            Fma.MultiplyAdd(Fma.MultiplyAdd(Vector256.Create(C4), b, Vector256.Create(C3)), u,
                Fma.MultiplyAdd(Vector256.Create(C2), b, Vector256.Create(C1))),
            u, Avx.Multiply(Vector256.Create(C0), b));
        var absN = Vector256.Abs(n);
        var large = Avx.CompareGreaterThan(absN, Vector256.Create(126f));
        var regular = Fma.MultiplyAdd(j, k, k);
        if (Avx.MoveMask(large) == 0) return regular;
        var g = Avx2.And(Avx.CompareLessThanOrEqual(n, Vector256<float>.Zero).AsInt32(), Vector256.Create(unchecked((int)NegativeScaleBias)));
        var s1 = Avx2.Add(g, Vector256.Create(ScaleBias)).AsSingle();
        var s2 = Avx2.Subtract(e, g).AsSingle();
        var huge = Avx.CompareGreaterThan(absN, Vector256.Create(192f));
        var scaled = Avx.BlendVariable(regular, Avx.Multiply(Fma.MultiplyAdd(s2, j, s2), s1), large);
        return Avx.BlendVariable(scaled, Avx.Multiply(s1, s1), huge);
    }
}
