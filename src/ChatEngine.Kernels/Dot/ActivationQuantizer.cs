using System.Runtime.CompilerServices;

namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Converts a float activation row to the "vec_dot_type" a weight type multiplies with, exactly as ggml's x86 CPU
/// backend does (quantize_row_q8_0/q8_1 AVX2 versions: d = amax/127, quants = round-half-even(x * 127/amax);
/// quantize_row_q8_K_ref for Q8_K), so that the integer dot products see the same quants as llama.cpp.
/// </summary>
internal static unsafe class ActivationQuantizer
{
    public static void QuantizeQ8_0(float* x, byte* y, int count)
    {
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.QK, y += BlockLayout.Q8_0Bytes)
        {
            QuantizeBlock32(x, y + 2, out var d, out _);
            Unsafe.WriteUnaligned(y, (Half)d);
        }
    }

    public static void QuantizeQ8_1(float* x, byte* y, int count)
    {
        for (var block = 0; block < count / BlockLayout.QK; block++, x += BlockLayout.QK, y += BlockLayout.Q8_1Bytes)
        {
            QuantizeBlock32(x, y + 4, out var d, out var sum);
            Unsafe.WriteUnaligned(y, (Half)d);
            Unsafe.WriteUnaligned(y + 2, (Half)(d * sum));
        }
    }

    private static void QuantizeBlock32(float* x, byte* qs, out float d, out int sum)
    {
        var amax = 0f;
        for (var j = 0; j < BlockLayout.QK; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
        d = amax / 127f;
        var id = amax != 0f ? 127f / amax : 0f;
        sum = 0;
        for (var j = 0; j < BlockLayout.QK; j++)
        {
            var q = (int)MathF.Round(x[j] * id); // MidpointRounding.ToEven, like _mm256_round_ps(_MM_ROUND_NEAREST)
            qs[j] = (byte)(sbyte)q;
            sum += q;
        }
    }

    public static void QuantizeQ8_K(float* x, byte* y, int count)
    {
        for (var block = 0; block < count / BlockLayout.QK_K; block++, x += BlockLayout.QK_K, y += BlockLayout.Q8_KBytes)
        {
            var qs = (sbyte*)(y + BlockLayout.Q8_KQuants);
            var bsums = (short*)(y + BlockLayout.Q8_KBlockSums);
            float max = 0f, amax = 0f;
            for (var j = 0; j < BlockLayout.QK_K; j++)
            {
                var ax = MathF.Abs(x[j]);
                if (ax > amax)
                {
                    amax = ax;
                    max = x[j];
                }
            }
            if (amax == 0f)
            {
                Unsafe.WriteUnaligned(y, 0f);
                new Span<byte>(y + BlockLayout.Q8_KQuants, BlockLayout.Q8_KBytes - BlockLayout.Q8_KQuants).Clear();
                continue;
            }
            // The sign makes the element of largest magnitude quantize to exactly -127.
            var iscale = -127f / max;
            for (var j = 0; j < BlockLayout.QK_K; j++) qs[j] = (sbyte)Math.Min(127, (int)MathF.Round(iscale * x[j]));
            for (var j = 0; j < BlockLayout.QK_K / 16; j++)
            {
                var s = 0;
                for (var l = 0; l < 16; l++) s += qs[j * 16 + l];
                Unsafe.WriteUnaligned(bsums + j, (short)s);
            }
            Unsafe.WriteUnaligned(y, 1f / iscale);
        }
    }

    /// <summary>x rounded to bfloat16 precision, kept as floats.</summary>
    public static void RoundToBFloat16(float* x, float* y, int count)
    {
        for (var j = 0; j < count; j++) y[j] = HalfConversion.RoundToBFloat16(x[j]);
    }
}
