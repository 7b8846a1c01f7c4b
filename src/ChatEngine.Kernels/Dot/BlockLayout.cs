namespace ChatEngine.Kernels.Dot;

/// <summary>
/// Byte sizes and field offsets of ggml's quantized blocks (ggml-common.h). Halves (d, m, s) are IEEE fp16;
/// Q8_K's d is an fp32.
/// </summary>
internal static class BlockLayout
{
    public const int QK = 32;
    public const int QK_K = 256;

    public const int Q4_0Bytes = 18;   // d, qs[16]: element j = low nibble of qs[j], element j+16 = high nibble
    public const int Q4_1Bytes = 20;   // d, m, qs[16]
    public const int Q5_0Bytes = 22;   // d, qh[4] (bit j = 5th bit of element j), qs[16]
    public const int Q5_1Bytes = 24;   // d, m, qh[4], qs[16]
    public const int Q8_0Bytes = 34;   // d, qs[32] (int8)
    public const int Q8_1Bytes = 36;   // d, s = d * sum(qs), qs[32]

    public const int Q2_KBytes = 84;   // scales[16] (low nibble scale, high nibble min), qs[64], d, dmin
    public const int Q3_KBytes = 110;  // hmask[32], qs[64], scales[12] (16 x 6 bit), d
    public const int Q4_KBytes = 144;  // d, dmin, scales[12] (8 x 6-bit scale + 8 x 6-bit min), qs[128]
    public const int Q5_KBytes = 176;  // d, dmin, scales[12], qh[32], qs[128]
    public const int Q6_KBytes = 210;  // ql[128], qh[64], scales[16] (int8), d
    public const int Q8_KBytes = 292;  // d (fp32), qs[256], bsums[16] (int16 sums of 16 quants)

    public const int Q8_KQuants = 4;
    public const int Q8_KBlockSums = 4 + QK_K;
}
