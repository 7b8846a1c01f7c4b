namespace ChatEngine.Kernels.Quants;

/// <summary>
/// The 12-byte packing of eight 6-bit scales and eight 6-bit mins used by Q4_K and Q5_K (ggml's get_scale_min_k4):
/// sub-blocks 0-3 keep scale/min in the low 6 bits of bytes 0-3 / 4-7; sub-blocks 4-7 keep their low 4 bits in the
/// nibbles of bytes 8-11 and their top 2 bits in the top bits of bytes 0-3 / 4-7.
/// </summary>
internal static class KScales
{
    public static (int Scale, int Min) Get(ReadOnlySpan<byte> packed, int j)
    {
        if (j < 4) return (packed[j] & 63, packed[j + 4] & 63);
        return ((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4), (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
    }

    /// <summary>Packs 6-bit scales and mins (each at most 63) of the eight sub-blocks.</summary>
    public static void Set(Span<byte> packed, ReadOnlySpan<byte> scales, ReadOnlySpan<byte> mins)
    {
        for (var j = 0; j < 8; j++)
        {
            var ls = scales[j];
            var lm = mins[j];
            if (j < 4)
            {
                packed[j] = ls;
                packed[j + 4] = lm;
            }
            else
            {
                packed[j + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
                packed[j - 4] |= (byte)((ls >> 4) << 6);
                packed[j] |= (byte)((lm >> 4) << 6);
            }
        }
    }

    /// <summary>
    /// The K-quant reference recipe shared by Q4_K and Q5_K: per 32-value sub-block, weights av_x + |x| and the
    /// asymmetric search; then 6-bit scales/mins relative to the largest, stored with d = maxScale/63 and
    /// dmin = maxMin/63; finally levels recomputed against the stored (rounded) scales.
    /// </summary>
    public static void QuantizeSuperBlock(ReadOnlySpan<float> x, Span<byte> header, Span<byte> levels, int nmax,
        float rmin, float rdelta, int nstep)
    {
        Span<byte> scratch = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        Span<byte> scaleLevels = stackalloc byte[8];
        Span<byte> minLevels = stackalloc byte[8];

        float maxScale = 0, maxMin = 0;
        for (var j = 0; j < 8; j++)
        {
            var group = x.Slice(32 * j, 32);
            float sumX2 = 0;
            for (var l = 0; l < 32; l++) sumX2 += group[l] * group[l];
            var avX = MathF.Sqrt(sumX2 / 32);
            for (var l = 0; l < 32; l++) weights[l] = avX + MathF.Abs(group[l]);
            scales[j] = ScaleSearch.AsymmetricWeighted(group, weights, nmax, levels.Slice(32 * j, 32), scratch,
                out mins[j], rmin, rdelta, nstep, useMad: false);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }

        var invScale = maxScale > 0 ? 63f / maxScale : 0f;
        var invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (var j = 0; j < 8; j++)
        {
            scaleLevels[j] = Math.Min((byte)63, (byte)ScaleSearch.NearestInt(invScale * scales[j]));
            minLevels[j] = Math.Min((byte)63, (byte)ScaleSearch.NearestInt(invMin * mins[j]));
        }
        var packed = header.Slice(4, 12);
        Set(packed, scaleLevels, minLevels);
        HalfBits.Write(header, maxScale / 63f);
        HalfBits.Write(header[2..], maxMin / 63f);

        var dAll = HalfBits.Read(header);
        var minAll = HalfBits.Read(header[2..]);
        for (var j = 0; j < 8; j++)
        {
            var (sc, m) = Get(packed, j);
            var d = dAll * sc;
            if (d == 0) continue;
            var dm = minAll * m;
            for (var i = 0; i < 32; i++)
                levels[32 * j + i] = (byte)Math.Clamp(ScaleSearch.NearestInt((x[32 * j + i] + dm) / d), 0, nmax);
        }
    }
}
