namespace ChatEngine.Kernels.Ops;

/// <summary>
/// Rotary position embedding as ggml computes it (no YaRN extension): for pair i of the first n_dims dimensions of
/// each head, theta_i = freq_scale * pos * base^(-2i/n_dims), the pair (x0, x1) becomes
/// (x0 cos - x1 sin, x0 sin + x1 cos). Like ggml, theta is built by repeated float multiplication with
/// powf(base, -2/n_dims) starting from pos, and dimensions past n_dims are left unchanged.
/// </summary>
public static class Rope
{
    private const int MaxStackPairs = 512;

    /// <summary>cos / sin of the angles of position <paramref name="position"/>: one per pair, n_dims / 2 entries each.</summary>
    public static void ComputeAngles(int position, int rotaryDimensions, float frequencyBase, float frequencyScale, Span<float> cos, Span<float> sin) =>
        ComputeAngles(position, rotaryDimensions, frequencyBase, frequencyScale, default, cos, sin);

    /// <summary>
    /// The angles with pair i's frequency divided by <paramref name="frequencyFactors"/>[i] (llama 3's rope scaling,
    /// the <c>rope_freqs.weight</c> tensor), as ggml_rope_ext applies its freq_factors; empty means no factors.
    /// </summary>
    public static void ComputeAngles(int position, int rotaryDimensions, float frequencyBase, float frequencyScale,
        ReadOnlySpan<float> frequencyFactors, Span<float> cos, Span<float> sin)
    {
        ValidateDimensions(rotaryDimensions);
        var pairs = rotaryDimensions / 2;
        if (cos.Length < pairs || sin.Length < pairs)
            throw new ArgumentException($"cos and sin need {pairs} entries each for {rotaryDimensions} rotary dimensions");
        if (!frequencyFactors.IsEmpty && frequencyFactors.Length < pairs)
            throw new ArgumentException($"{frequencyFactors.Length} frequency factors for {pairs} rotary pairs", nameof(frequencyFactors));
        var thetaScale = MathF.Pow(frequencyBase, -2f / rotaryDimensions);
        var theta = (float)position;
        for (var i = 0; i < pairs; i++)
        {
            var angle = frequencyScale * (frequencyFactors.IsEmpty ? theta : theta / frequencyFactors[i]);
            cos[i] = MathF.Cos(angle);
            sin[i] = MathF.Sin(angle);
            theta *= thetaScale;
        }
    }

    /// <summary>Rotates the first 2 * cos.Length dimensions of one head with precomputed angles.</summary>
    public static void Rotate(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, RopeMode mode)
    {
        var pairs = cos.Length;
        if (sin.Length != pairs) throw new ArgumentException($"sin has {sin.Length} entries, cos has {pairs}", nameof(sin));
        if (head.Length < 2 * pairs)
            throw new ArgumentException($"the head has {head.Length} dimensions, fewer than the {2 * pairs} to rotate", nameof(head));
        var stride = mode switch
        {
            RopeMode.Normal => 1,
            RopeMode.NeoX => pairs,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown rope mode"),
        };
        for (var i = 0; i < pairs; i++)
        {
            var first = mode == RopeMode.Normal ? 2 * i : i;
            var x0 = head[first];
            var x1 = head[first + stride];
            head[first] = MathF.FusedMultiplyAdd(x0, cos[i], -(x1 * sin[i]));
            head[first + stride] = MathF.FusedMultiplyAdd(x0, sin[i], x1 * cos[i]);
        }
    }

    /// <summary>
    /// Applies RoPE at <paramref name="position"/> to <paramref name="headCount"/> consecutive heads of
    /// <paramref name="headDimension"/> floats each (one token's Q or K).
    /// </summary>
    public static void Apply(Span<float> heads, int headCount, int headDimension, int position, int rotaryDimensions,
        float frequencyBase, float frequencyScale, RopeMode mode)
    {
        ValidateDimensions(rotaryDimensions);
        if (rotaryDimensions > headDimension)
            throw new ArgumentException($"{rotaryDimensions} rotary dimensions exceed the head dimension {headDimension}", nameof(rotaryDimensions));
        if (heads.Length < (long)headCount * headDimension)
            throw new ArgumentException($"{headCount} heads of {headDimension} need {(long)headCount * headDimension} floats, got {heads.Length}", nameof(heads));
        var pairs = rotaryDimensions / 2;
        Span<float> buffer = pairs <= MaxStackPairs ? stackalloc float[2 * pairs] : new float[2 * pairs];
        var cos = buffer[..pairs];
        var sin = buffer[pairs..];
        ComputeAngles(position, rotaryDimensions, frequencyBase, frequencyScale, cos, sin);
        for (var h = 0; h < headCount; h++) Rotate(heads.Slice(h * headDimension, headDimension), cos, sin, mode);
    }

    private static void ValidateDimensions(int rotaryDimensions)
    {
        if (rotaryDimensions <= 0 || rotaryDimensions % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(rotaryDimensions), rotaryDimensions, "rotary dimensions must be a positive even number");
    }
}
