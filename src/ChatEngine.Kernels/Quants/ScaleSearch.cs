namespace ChatEngine.Kernels.Quants;

/// <summary>
/// The scale searches of ggml's reference quantizers (make_qx_quants, make_q3_quants, make_qkx2_quants). Every
/// operation is single precision and in the same order as ggml's C, so the chosen scales and levels are identical
/// bit for bit; do not "simplify" the arithmetic.
/// </summary>
internal static class ScaleSearch
{
    /// <summary>Groups whose largest magnitude is below this are treated as all zero (ggml's GROUP_MAX_EPS).</summary>
    public const float GroupMaxEps = 1e-15f;

    /// <summary>
    /// ggml's nearest_int: adds 1.5 * 2^23 so the float adder rounds to an integer (ties to even), then reads the
    /// mantissa. Only meaningful for |value| &lt;= 2^22, like the original.
    /// </summary>
    public static int NearestInt(float value)
    {
        var shifted = value + 12582912f;
        return (BitConverter.SingleToInt32Bits(shifted) & 0x007fffff) - 0x00400000;
    }

    /// <summary>
    /// Symmetric levels in [-nmax, nmax-1] with weights x² (make_qx_quants, rmse_type 1, no importance weights):
    /// tries 19 scales around -nmax/max and keeps the least-squares best. Levels are returned offset by +nmax.
    /// </summary>
    public static float SymmetricWeighted(ReadOnlySpan<float> x, int nmax, Span<sbyte> levels)
    {
        var n = x.Length;
        float max = 0, amax = 0;
        for (var i = 0; i < n; i++)
        {
            var ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }

        var iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (var i = 0; i < n; i++)
        {
            var l = Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
            levels[i] = (sbyte)(l + nmax);
            var w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        var scale = suml2 != 0 ? sumlx / suml2 : 0f;
        var best = scale * sumlx;
        for (var step = -9; step <= 9; step++)
        {
            if (step == 0) continue;
            iscale = -(nmax + 0.1f * step) / max;
            sumlx = suml2 = 0;
            for (var i = 0; i < n; i++)
            {
                var l = Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
                var w = x[i] * x[i];
                sumlx += w * x[i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2)
            {
                for (var i = 0; i < n; i++)
                    levels[i] = (sbyte)(nmax + Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1));
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /// <summary>
    /// Symmetric levels in [-nmax, nmax-1] refined one element at a time under weights x² (make_q3_quants with
    /// do_rmse). Levels are returned offset by +nmax.
    /// </summary>
    public static float SymmetricRefined(ReadOnlySpan<float> x, int nmax, Span<sbyte> levels)
    {
        var n = x.Length;
        float max = 0, amax = 0;
        for (var i = 0; i < n; i++)
        {
            var ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }

        var iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (var i = 0; i < n; i++)
        {
            var l = Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
            levels[i] = (sbyte)l;
            var w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var changed = 0;
            for (var i = 0; i < n; i++)
            {
                var w = x[i] * x[i];
                var slx = sumlx - w * x[i] * levels[i];
                if (slx > 0)
                {
                    var sl2 = suml2 - w * levels[i] * levels[i];
                    var newL = Math.Clamp(NearestInt(x[i] * sl2 / slx), -nmax, nmax - 1);
                    if (newL != levels[i])
                    {
                        slx += w * x[i] * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2)
                        {
                            levels[i] = (sbyte)newL;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (var i = 0; i < n; i++) levels[i] += (sbyte)nmax;
        return suml2 > 0 ? sumlx / suml2 : 0f;
    }

    /// <summary>
    /// Asymmetric levels in [0, nmax] with a non-positive offset (make_qkx2_quants): value ≈ scale * level - min.
    /// Tries nstep+1 scales (rmin + rdelta * step + nmax) / (max - min) and keeps the one with the least weighted
    /// error (absolute when <paramref name="useMad"/>, squared otherwise). Returns the scale; <paramref name="minOut"/>
    /// receives -offset (&gt;= 0).
    /// </summary>
    public static float AsymmetricWeighted(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, int nmax, Span<byte> levels,
        Span<byte> scratch, out float minOut, float rmin, float rdelta, int nstep, bool useMad)
    {
        var n = x.Length;
        var min = x[0];
        var max = x[0];
        var sumW = weights[0];
        var sumX = sumW * x[0];
        for (var i = 1; i < n; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            var w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }
        if (min > 0) min = 0;
        if (max == min)
        {
            levels[..n].Clear();
            minOut = -min;
            return 0f;
        }

        var iscale = nmax / (max - min);
        var scale = 1 / iscale;
        float bestError = 0;
        for (var i = 0; i < n; i++)
        {
            var l = NearestInt(iscale * (x[i] - min));
            levels[i] = (byte)Math.Clamp(l, 0, nmax);
            var diff = scale * levels[i] + min - x[i];
            diff = useMad ? MathF.Abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }

        for (var step = 0; step <= nstep; step++)
        {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (var i = 0; i < n; i++)
            {
                var l = Math.Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax);
                scratch[i] = (byte)l;
                var w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }
            var determinant = sumW * sumL2 - sumL * sumL;
            if (determinant > 0)
            {
                var thisScale = (sumW * sumXL - sumX * sumL) / determinant;
                var thisMin = (sumL2 * sumX - sumL * sumXL) / determinant;
                if (thisMin > 0)
                {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (var i = 0; i < n; i++)
                {
                    var diff = thisScale * scratch[i] + thisMin - x[i];
                    diff = useMad ? MathF.Abs(diff) : diff * diff;
                    error += weights[i] * diff;
                }
                if (error < bestError)
                {
                    scratch[..n].CopyTo(levels);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut = -min;
        return scale;
    }
}
