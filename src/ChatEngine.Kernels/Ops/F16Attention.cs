using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels.Ops;

/// <summary>
/// The three steps of attention over an F16 KV cache (scores, softmax, weighted sum of values), each summed in the
/// order llama.cpp's x86 CPU path uses, so attention outputs are bit-identical to its own. That matters more than it
/// seems: the next layer quantizes activations to 8 bits, and a last-bit difference that lands on a rounding boundary
/// grows into a visibly different distribution a few tokens later.
/// </summary>
/// <remarks>
/// llama.cpp's KV cache view is padded to a multiple of 32 positions, masked positions get exp(-inf) = 0, so every
/// sum below runs over whole groups with zeros past the visible positions; adding those zeros changes nothing, but the
/// group structure (which position lands in which accumulator) does.
/// </remarks>
public static class F16Attention
{
    /// <summary>Accumulator lanes of ggml_vec_dot_f16 on AVX2: four 8-wide FMA accumulators over 32-element steps.</summary>
    private const int DotLanes = 32;

    /// <summary>Accumulator lanes of llamafile's tinyBLAS F16 kernel: one 8-wide FMA accumulator.</summary>
    private const int GemmLanes = 8;

    /// <summary>Accumulator rows <see cref="WeightedSum"/> needs per output dimension.</summary>
    public const int MaxLanes = DotLanes;

    /// <summary>
    /// q · k summed as ggml_vec_dot_f16: element i goes to lane i mod 32 (FMA, in order), lanes are reduced
    /// (0+16)+(8+24) within each group of 8, then (l + l+4) and ((0+1)+(2+3)); elements past the last whole 32 are
    /// added in double. <paramref name="q"/> holds F16 values (already rounded).
    /// </summary>
    public static float Dot(ReadOnlySpan<float> q, ReadOnlySpan<Half> k)
    {
        if (k.Length < q.Length) throw new ArgumentException($"k has {k.Length} elements, q has {q.Length}", nameof(k));
        Span<float> lanes = stackalloc float[DotLanes];
        lanes.Clear();
        var whole = q.Length & ~(DotLanes - 1);
        for (var i = 0; i < whole; i += DotLanes)
            for (var lane = 0; lane < DotLanes; lane++)
                lanes[lane] = MathF.FusedMultiplyAdd(q[i + lane], (float)k[i + lane], lanes[lane]);
        double sum = ReduceDotLanes(lanes, 0, 1);
        for (var i = whole; i < q.Length; i++) sum += q[i] * (float)k[i];
        return (float)sum;
    }

    /// <summary>
    /// Softmax of attention scores (already scaled) as ggml_soft_max computes it: exp via <see cref="PolynomialExp"/>
    /// over groups of 8, each group's sum in float ((0+4)+(2+6))+((1+5)+(3+7)), the group sums in double, then a
    /// float scale by 1/sum.
    /// </summary>
    public static void Softmax(Span<float> scores)
    {
        if (scores.IsEmpty) return;
        var max = float.NegativeInfinity;
        foreach (var s in scores) max = Math.Max(max, s);
        Span<float> group = stackalloc float[8];
        var sum = 0.0;
        for (var start = 0; start < scores.Length; start += 8)
        {
            var count = Math.Min(8, scores.Length - start);
            group.Clear();
            for (var i = 0; i < count; i++) group[i] = scores[start + i] = PolynomialExp.Exp(scores[start + i] - max);
            sum += ((group[0] + group[4]) + (group[2] + group[6])) + ((group[1] + group[5]) + (group[3] + group[7]));
        }
        var scale = (float)(1.0 / sum);
        foreach (ref var s in scores) s *= scale;
    }

    /// <summary>
    /// output[d] = Σ_p weights[p] · values[p * stride + d] for d &lt; output.Length, in the order llama.cpp uses for
    /// the attention-weighted sum of V: ggml_vec_dot_f16's 32 lanes when one token is evaluated
    /// (<paramref name="singleToken"/>), llamafile tinyBLAS's 8 lanes when a batch of tokens is. <paramref name="weights"/>
    /// hold F16 values. <paramref name="accumulators"/> is scratch of at least <see cref="MaxLanes"/> × output.Length.
    /// </summary>
    public static void WeightedSum(ReadOnlySpan<float> weights, ReadOnlySpan<Half> values, int stride, Span<float> output,
        Span<float> accumulators, bool singleToken)
    {
        var width = output.Length;
        var laneCount = singleToken ? DotLanes : GemmLanes;
        if (accumulators.Length < laneCount * width)
            throw new ArgumentException($"accumulators need {laneCount * width} floats", nameof(accumulators));
        if (weights.Length > 0 && values.Length < (weights.Length - 1) * stride + width)
            throw new ArgumentException("values are shorter than weights x stride", nameof(values));
        var lanes = accumulators[..(laneCount * width)];
        lanes.Clear();
        Span<float> row = stackalloc float[width];
        for (var p = 0; p < weights.Length; p++)
        {
            HalfToSingle(values.Slice(p * stride, width), row);
            var lane = lanes.Slice(p % laneCount * width, width);
            MultiplyAdd(row, weights[p], lane);
        }
        for (var d = 0; d < width; d++)
            output[d] = singleToken ? ReduceDotLanes(lanes, d, width) : ReduceGemmLanes(lanes, d, width);
    }

    /// <summary>ggml_vec_dot_f16's reduction of 32 lanes (lane l of accumulator a at index (8a + l) * stride + offset).</summary>
    private static float ReduceDotLanes(ReadOnlySpan<float> lanes, int offset, int stride)
    {
        Span<float> merged = stackalloc float[8];
        for (var l = 0; l < 8; l++)
        {
            var first = l * stride + offset;
            var step = 8 * stride;
            merged[l] = (lanes[first] + lanes[first + 2 * step]) + (lanes[first + step] + lanes[first + 3 * step]);
        }
        return ((merged[0] + merged[4]) + (merged[1] + merged[5])) + ((merged[2] + merged[6]) + (merged[3] + merged[7]));
    }

    /// <summary>tinyBLAS's horizontal sum of one 8-lane accumulator: ((0+4)+(2+6)) + ((1+5)+(3+7)).</summary>
    private static float ReduceGemmLanes(ReadOnlySpan<float> lanes, int offset, int stride)
    {
        Span<float> lane = stackalloc float[8];
        for (var l = 0; l < 8; l++) lane[l] = lanes[l * stride + offset];
        return ((lane[0] + lane[4]) + (lane[2] + lane[6])) + ((lane[1] + lane[5]) + (lane[3] + lane[7]));
    }

    private static void HalfToSingle(ReadOnlySpan<Half> source, Span<float> destination)
    {
        for (var i = 0; i < source.Length; i++) destination[i] = (float)source[i];
    }

    /// <summary>accumulator[d] = fma(row[d], weight, accumulator[d]).</summary>
    private static void MultiplyAdd(ReadOnlySpan<float> row, float weight, Span<float> accumulator)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var a = ref MemoryMarshal.GetReference(accumulator);
            var w = Vector256.Create(weight);
            for (; i + 8 <= row.Length; i += 8)
                System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(Vector256.LoadUnsafe(ref r, (nuint)i), w, Vector256.LoadUnsafe(ref a, (nuint)i))
                    .StoreUnsafe(ref a, (nuint)i);
        }
        for (; i < row.Length; i++) accumulator[i] = MathF.FusedMultiplyAdd(row[i], weight, accumulator[i]);
    }
}
