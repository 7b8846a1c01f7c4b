using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
/// group structure (which position lands in which accumulator) does. Each step has an AVX2 form and a scalar
/// reference that give bitwise the same results. The steps read keys and values widened to F32 by <see cref="Widen"/>
/// (exact), so the rows a batch of queries shares are converted once instead of once per query.
/// </remarks>
public static unsafe class F16Attention
{
    /// <summary>Accumulator lanes of ggml_vec_dot_f16 on AVX2: four 8-wide FMA accumulators over 32-element steps.</summary>
    private const int DotLanes = 32;

    /// <summary>Accumulator lanes of llamafile's tinyBLAS F16 kernel: one 8-wide FMA accumulator.</summary>
    private const int GemmLanes = 8;

    /// <summary>Accumulator rows <see cref="WeightedSum"/> needs per output dimension.</summary>
    public const int MaxLanes = DotLanes;

    /// <summary>
    /// destination[r * width + d] = source[r * stride + d] as floats, for r &lt; rows and d &lt; width: one head's cached
    /// keys or values, widened once for every query that attends to them.
    /// </summary>
    public static void Widen(ReadOnlySpan<Half> source, int stride, int width, int rows, Span<float> destination)
    {
        if (rows > 0 && source.Length < (long)(rows - 1) * stride + width)
            throw new ArgumentException($"source holds {source.Length} values, {rows} rows {stride} apart need more", nameof(source));
        if (destination.Length < (long)rows * width) throw new ArgumentException($"destination needs {rows * width} floats", nameof(destination));
        for (var r = 0; r < rows; r++) TensorPrimitives.ConvertToSingle(source.Slice(r * stride, width), destination.Slice(r * width, width));
    }

    /// <summary>
    /// q · k summed as ggml_vec_dot_f16: element i goes to lane i mod 32 (FMA, in order), lanes are reduced
    /// (0+16)+(8+24) within each group of 8, then (l + l+4) and ((0+1)+(2+3)); elements past the last whole 32 are
    /// added in double. <paramref name="q"/> and <paramref name="k"/> hold F16 values (already rounded or widened).
    /// </summary>
    public static float Dot(ReadOnlySpan<float> q, ReadOnlySpan<float> k)
    {
        if (k.Length < q.Length) throw new ArgumentException($"k has {k.Length} elements, q has {q.Length}", nameof(k));
        return KernelIsa.Avx2Active ? DotSimd(q, k) : DotScalar(q, k);
    }

    internal static float DotScalar(ReadOnlySpan<float> q, ReadOnlySpan<float> k)
    {
        Span<float> lanes = stackalloc float[DotLanes];
        lanes.Clear();
        var whole = q.Length & ~(DotLanes - 1);
        for (var i = 0; i < whole; i += DotLanes)
            for (var lane = 0; lane < DotLanes; lane++)
                lanes[lane] = MathF.FusedMultiplyAdd(q[i + lane], k[i + lane], lanes[lane]);
        double sum = ReduceDotLanes(lanes, 0, 1);
        return (float)AddTail(sum, q, k, whole);
    }

    /// <summary><see cref="DotScalar"/> with the 32 lanes in four vectors: lane 8a + l is element l of vector a.</summary>
    internal static float DotSimd(ReadOnlySpan<float> q, ReadOnlySpan<float> k)
    {
        var whole = q.Length & ~(DotLanes - 1);
        fixed (float* qp = q)
        fixed (float* kp = k)
            return (float)AddTail(DotWholeGroups(qp, kp, whole), q, k, whole);
    }

    /// <summary>
    /// scores[i] = <see cref="Dot"/>(q, the key at keys[i * stride]) * scale for every i: the scores of one query
    /// against consecutive keys, without a call and a span check per key.
    /// </summary>
    public static void Scores(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, int stride, float scale, Span<float> scores)
    {
        if (scores.Length > 0 && keys.Length < (long)(scores.Length - 1) * stride + q.Length)
            throw new ArgumentException($"keys hold {keys.Length} values, {scores.Length} keys {stride} apart need more", nameof(keys));
        if (!KernelIsa.Avx2Active || q.Length % DotLanes != 0)
        {
            for (var i = 0; i < scores.Length; i++) scores[i] = Dot(q, keys.Slice(i * stride, q.Length)) * scale;
            return;
        }
        fixed (float* qp = q)
        fixed (float* kp = keys)
        fixed (float* sp = scores)
            for (var i = 0; i < scores.Length; i++)
                sp[i] = DotWholeGroups(qp, kp + (long)i * stride, q.Length) * scale;
    }

    /// <summary>The SIMD dot of the first <paramref name="whole"/> (a multiple of 32) elements, reduced as ggml_vec_dot_f16 reduces.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float DotWholeGroups(float* q, float* k, int whole)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (var i = 0; i < whole; i += DotLanes)
        {
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(q + i), Avx.LoadVector256(k + i), a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(q + i + 8), Avx.LoadVector256(k + i + 8), a1);
            a2 = Fma.MultiplyAdd(Avx.LoadVector256(q + i + 16), Avx.LoadVector256(k + i + 16), a2);
            a3 = Fma.MultiplyAdd(Avx.LoadVector256(q + i + 24), Avx.LoadVector256(k + i + 24), a3);
        }
        return SumEight(Avx.Add(Avx.Add(a0, a2), Avx.Add(a1, a3)));
    }

    /// <summary>Elements past the last whole 32, added in double as ggml_vec_dot_f16 does.</summary>
    private static double AddTail(double sum, ReadOnlySpan<float> q, ReadOnlySpan<float> k, int from)
    {
        for (var i = from; i < q.Length; i++) sum += q[i] * k[i];
        return sum;
    }

    /// <summary>((m0 + m4) + (m1 + m5)) + ((m2 + m6) + (m3 + m7)), the last step of <see cref="ReduceDotLanes"/>.</summary>
    private static float SumEight(Vector256<float> m)
    {
        var s = Sse.Add(m.GetLower(), m.GetUpper());
        var pairs = Sse3.HorizontalAdd(s, s);
        return Sse3.HorizontalAdd(pairs, pairs).ToScalar();
    }

    /// <summary>
    /// Softmax of attention scores (already scaled) as ggml_soft_max computes it: exp via <see cref="PolynomialExp"/>
    /// over groups of 8, each group's sum in float ((0+4)+(2+6))+((1+5)+(3+7)), the group sums in double, then a
    /// float scale by 1/sum.
    /// </summary>
    public static void Softmax(Span<float> scores)
    {
        if (scores.IsEmpty) return;
        if (KernelIsa.Avx2Active) SoftmaxSimd(scores);
        else SoftmaxScalar(scores);
    }

    internal static void SoftmaxScalar(Span<float> scores)
    {
        var max = float.NegativeInfinity;
        foreach (var s in scores) max = Math.Max(max, s);
        Span<float> group = stackalloc float[8];
        var sum = 0.0;
        for (var start = 0; start < scores.Length; start += 8)
        {
            var count = Math.Min(8, scores.Length - start);
            group.Clear();
            for (var i = 0; i < count; i++) group[i] = scores[start + i] = PolynomialExp.Exp(scores[start + i] - max);
            sum += SumGroup(Vector256.Create<float>(group));
        }
        var scale = (float)(1.0 / sum);
        foreach (ref var s in scores) s *= scale;
    }

    /// <summary><see cref="SoftmaxScalar"/> with the exponentials of whole groups of 8 taken at once.</summary>
    internal static void SoftmaxSimd(Span<float> scores)
    {
        var max = float.NegativeInfinity;
        foreach (var s in scores) max = Math.Max(max, s);
        var sum = 0.0;
        var whole = scores.Length & ~7;
        fixed (float* sp = scores)
        {
            var shift = Vector256.Create(max);
            for (var i = 0; i < whole; i += 8)
            {
                var e = PolynomialExp.Exp(Avx.Subtract(Avx.LoadVector256(sp + i), shift));
                Avx.Store(sp + i, e);
                sum += SumGroup(e);
            }
            if (whole < scores.Length)
            {
                Span<float> group = stackalloc float[8];
                group.Clear();
                for (var i = whole; i < scores.Length; i++) group[i - whole] = sp[i] = PolynomialExp.Exp(sp[i] - max);
                sum += SumGroup(Vector256.Create<float>(group));
            }
            var scale = Vector256.Create((float)(1.0 / sum));
            for (var i = 0; i < whole; i += 8) Avx.Store(sp + i, Avx.Multiply(Avx.LoadVector256(sp + i), scale));
            for (var i = whole; i < scores.Length; i++) sp[i] *= scale.ToScalar();
        }
    }

    /// <summary>ggml_soft_max's sum of one group of 8: ((0 + 4) + (2 + 6)) + ((1 + 5) + (3 + 7)).</summary>
    private static float SumGroup(Vector256<float> g) =>
        ((g.GetElement(0) + g.GetElement(4)) + (g.GetElement(2) + g.GetElement(6))) + ((g.GetElement(1) + g.GetElement(5)) + (g.GetElement(3) + g.GetElement(7)));

    /// <summary>
    /// output[d] = Σ_p weights[p] · values[p * stride + d] for d &lt; output.Length, in the order llama.cpp uses for
    /// the attention-weighted sum of V: ggml_vec_dot_f16's 32 lanes when one token is evaluated
    /// (<paramref name="singleToken"/>), llamafile tinyBLAS's 8 lanes when a batch of tokens is. <paramref name="weights"/>
    /// hold F16 values, <paramref name="values"/> widened F16 values. <paramref name="accumulators"/> is scratch of at least <see cref="MaxLanes"/> × output.Length.
    /// </summary>
    public static void WeightedSum(ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int stride, Span<float> output,
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
        if (KernelIsa.Avx2Active && width % 8 == 0) WeightedSumSimd(weights, values, stride, output, lanes, singleToken);
        else WeightedSumScalar(weights, values, stride, output, lanes, singleToken);
    }

    /// <summary>The scalar reference of <see cref="WeightedSum"/>; <paramref name="lanes"/> are zeroed, laneCount x width.</summary>
    internal static void WeightedSumScalar(ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int stride, Span<float> output,
        Span<float> lanes, bool singleToken)
    {
        var width = output.Length;
        var laneCount = singleToken ? DotLanes : GemmLanes;
        for (var p = 0; p < weights.Length; p++)
        {
            var lane = lanes.Slice(p % laneCount * width, width);
            for (var d = 0; d < width; d++) lane[d] = MathF.FusedMultiplyAdd(values[p * stride + d], weights[p], lane[d]);
        }
        for (var d = 0; d < width; d++)
            output[d] = singleToken ? ReduceDotLanes(lanes, d, width) : ReduceGemmLanes(lanes, d, width);
    }

    /// <summary><see cref="WeightedSumScalar"/> eight dimensions at a time (width a multiple of 8).</summary>
    internal static void WeightedSumSimd(ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int stride, Span<float> output,
        Span<float> lanes, bool singleToken)
    {
        var width = output.Length;
        if (!singleToken)
        {
            WeightedSumBatchOrder(weights, values, stride, output);
            return;
        }
        fixed (float* vp = values)
        fixed (float* lp = lanes)
        fixed (float* op = output)
        {
            for (var p = 0; p < weights.Length; p++)
            {
                var row = vp + (long)p * stride;
                var lane = lp + p % DotLanes * width;
                var weight = Vector256.Create(weights[p]);
                for (var d = 0; d < width; d += 8)
                    Avx.Store(lane + d, Fma.MultiplyAdd(Avx.LoadVector256(row + d), weight, Avx.LoadVector256(lane + d)));
            }
            for (var d = 0; d < width; d += 8)
                Avx.Store(op + d, ReduceDotLanes(lp + d, width));
        }
    }

    /// <summary>
    /// The batch order's 8 lanes for 8 dimensions at a time, in registers: position p goes to lane p mod 8, so each
    /// group of 8 positions adds one product to every lane.
    /// </summary>
    private static void WeightedSumBatchOrder(ReadOnlySpan<float> weights, ReadOnlySpan<float> values, nint stride, Span<float> output)
    {
        var count = weights.Length;
        var whole = count & ~(GemmLanes - 1);
        fixed (float* wp = weights)
        fixed (float* vp = values)
        fixed (float* op = output)
            for (var d = 0; d < output.Length; d += 8)
            {
                Vector256<float> l0 = default, l1 = default, l2 = default, l3 = default, l4 = default, l5 = default, l6 = default, l7 = default;
                var row = vp + d;
                for (var p = 0; p < whole; p += GemmLanes, row += GemmLanes * stride)
                {
                    l0 = Fma.MultiplyAdd(Avx.LoadVector256(row), Vector256.Create(wp[p]), l0);
                    l1 = Fma.MultiplyAdd(Avx.LoadVector256(row + stride), Vector256.Create(wp[p + 1]), l1);
                    l2 = Fma.MultiplyAdd(Avx.LoadVector256(row + 2 * stride), Vector256.Create(wp[p + 2]), l2);
                    l3 = Fma.MultiplyAdd(Avx.LoadVector256(row + 3 * stride), Vector256.Create(wp[p + 3]), l3);
                    l4 = Fma.MultiplyAdd(Avx.LoadVector256(row + 4 * stride), Vector256.Create(wp[p + 4]), l4);
                    l5 = Fma.MultiplyAdd(Avx.LoadVector256(row + 5 * stride), Vector256.Create(wp[p + 5]), l5);
                    l6 = Fma.MultiplyAdd(Avx.LoadVector256(row + 6 * stride), Vector256.Create(wp[p + 6]), l6);
                    l7 = Fma.MultiplyAdd(Avx.LoadVector256(row + 7 * stride), Vector256.Create(wp[p + 7]), l7);
                }
                var left = count - whole;
                if (left > 0) l0 = Fma.MultiplyAdd(Avx.LoadVector256(row), Vector256.Create(wp[whole]), l0);
                if (left > 1) l1 = Fma.MultiplyAdd(Avx.LoadVector256(row + stride), Vector256.Create(wp[whole + 1]), l1);
                if (left > 2) l2 = Fma.MultiplyAdd(Avx.LoadVector256(row + 2 * stride), Vector256.Create(wp[whole + 2]), l2);
                if (left > 3) l3 = Fma.MultiplyAdd(Avx.LoadVector256(row + 3 * stride), Vector256.Create(wp[whole + 3]), l3);
                if (left > 4) l4 = Fma.MultiplyAdd(Avx.LoadVector256(row + 4 * stride), Vector256.Create(wp[whole + 4]), l4);
                if (left > 5) l5 = Fma.MultiplyAdd(Avx.LoadVector256(row + 5 * stride), Vector256.Create(wp[whole + 5]), l5);
                if (left > 6) l6 = Fma.MultiplyAdd(Avx.LoadVector256(row + 6 * stride), Vector256.Create(wp[whole + 6]), l6);
                Avx.Store(op + d, Avx.Add(Avx.Add(Avx.Add(l0, l4), Avx.Add(l2, l6)), Avx.Add(Avx.Add(l1, l5), Avx.Add(l3, l7))));
            }
    }

    /// <summary><see cref="ReduceDotLanes(ReadOnlySpan{float}, int, int)"/> for 8 consecutive dimensions at once.</summary>
    private static Vector256<float> ReduceDotLanes(float* lanes, int stride) =>
        Avx.Add(
            Avx.Add(Avx.Add(Merged(lanes, stride, 0), Merged(lanes, stride, 4)), Avx.Add(Merged(lanes, stride, 1), Merged(lanes, stride, 5))),
            Avx.Add(Avx.Add(Merged(lanes, stride, 2), Merged(lanes, stride, 6)), Avx.Add(Merged(lanes, stride, 3), Merged(lanes, stride, 7))));

    private static Vector256<float> Merged(float* lanes, int stride, int l) =>
        Avx.Add(Avx.Add(Lane(lanes, stride, l), Lane(lanes, stride, l + 16)), Avx.Add(Lane(lanes, stride, l + 8), Lane(lanes, stride, l + 24)));

    private static Vector256<float> Lane(float* lanes, int stride, int l) => Avx.LoadVector256(lanes + l * stride);

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
}
