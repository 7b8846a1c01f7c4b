using ChatEngine.Gguf;

namespace ChatEngine.Kernels.Tests.Quants;

/// <summary>
/// Error measures and the expected quantization error of each type on Gaussian-like weights.
/// </summary>
internal static class QuantError
{
    /// <summary>sqrt(Σ(approx - reference)² / Σ reference²), in double.</summary>
    public static double RelativeRms(ReadOnlySpan<float> reference, ReadOnlySpan<float> approx)
    {
        double error = 0, energy = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            double diff = approx[i] - reference[i];
            error += diff * diff;
            energy += (double)reference[i] * reference[i];
        }
        return Math.Sqrt(error / energy);
    }

    /// <summary>
    /// Upper bound on <see cref="RelativeRms"/> for N(0, σ) data. A uniform quantizer with step Δ has RMS error
    /// Δ/√12 ≈ 0.29 Δ; Δ follows from each format: Q8_0 amax(32)/127 with E[amax of 32 normals] ≈ 2.1σ gives ≈ 0.005;
    /// Q8_K amax(256)/127 (≈ 2.9σ) ≈ 0.007; Q5_0 amax/16 ≈ 0.038 and Q5_1 (max-min)/31 ≈ 0.038; Q4_0 amax/8 ≈ 0.076,
    /// Q4_1 (max-min)/15 ≈ 0.079; the K-quants search scales per 16/32 values and do a little better than that
    /// (Q6_K amax(16)/32 ≈ 0.016, Q5_K ≈ 0.035, Q4_K ≈ 0.07, Q3_K 8 levels per 16 ≈ 0.12, Q2_K 4 levels ≈ 0.26), plus
    /// a few percent for the 6/4-bit scales. The bounds add ~20% headroom to those estimates. F16 and BF16 round to an
    /// 11 / 8 bit significand: relative error at most 2^-11 / 2^-8 per element, RMS about a third of that.
    /// </summary>
    public static double Bound(GgmlType type) => type switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 2.0e-4,
        GgmlType.BF16 => 1.6e-3,
        GgmlType.Q8_0 or GgmlType.Q8_1 => 0.006,
        GgmlType.Q8_K => 0.0085,
        GgmlType.Q6_K => 0.02,
        GgmlType.Q5_0 or GgmlType.Q5_1 => 0.046,
        GgmlType.Q5_K => 0.042,
        GgmlType.Q4_0 or GgmlType.Q4_1 => 0.095,
        GgmlType.Q4_K => 0.085,
        GgmlType.Q3_K => 0.15,
        GgmlType.Q2_K => 0.32,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
