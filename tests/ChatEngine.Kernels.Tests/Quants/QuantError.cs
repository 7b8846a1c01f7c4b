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
    /// Upper bound on <see cref="RelativeRms"/> for N(0, σ) data (σ not so small that the half-precision block scales
    /// become subnormal). A uniform quantizer with step Δ has RMS error Δ/√12 ≈ 0.29 Δ, and Δ follows from each format
    /// (E[amax] of 16 / 32 / 256 normals ≈ 1.8σ / 2.1σ / 2.9σ):
    /// Q8_0, Q8_1 amax(32)/127 → 0.005; Q8_K amax(256)/127 → 0.0068; Q6_K ≈ amax(16)/32 → 0.016;
    /// Q5_0 amax/16 → 0.038 (0.043 seen: levels are [-16, 15] so the positive side clips); Q5_1 (max-min)/31 → 0.038;
    /// Q5_K ≈ 0.035; Q4_0 amax/8 → 0.076 (0.086 seen, same clipping); Q4_1 (max-min)/15 → 0.079; Q4_K ≈ 0.07;
    /// Q3_K amax(16)/4 → 0.13 (0.15 seen: [-4, 3] levels and 6-bit sub-scales); Q2_K 4 levels per 16 → ≈ 0.29.
    /// F16 / BF16 round a 10 / 7-bit fraction: relative RMS 2^-10 (2^-7) / √12 · √E[1/m²] with m the significand,
    /// E[1/m²] = 0.54 for log-uniform m, i.e. 2.07e-4 / 1.66e-3. Measured values (our round trips and llama.cpp's
    /// files alike) sit within 1-3% of these; the bounds leave 10-20% headroom, far below the ~1.0+ a layout or
    /// scale bug produces.
    /// </summary>
    public static double Bound(GgmlType type) => type switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 2.4e-4,
        GgmlType.BF16 => 1.9e-3,
        GgmlType.Q8_0 or GgmlType.Q8_1 => 0.006,
        GgmlType.Q8_K => 0.0085,
        GgmlType.Q6_K => 0.02,
        GgmlType.Q5_0 or GgmlType.Q5_1 => 0.048,
        GgmlType.Q5_K => 0.042,
        GgmlType.Q4_0 or GgmlType.Q4_1 => 0.095,
        GgmlType.Q4_K => 0.085,
        GgmlType.Q3_K => 0.17,
        GgmlType.Q2_K => 0.32,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
