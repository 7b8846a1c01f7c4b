using System.Numerics.Tensors;
using ChatEngine.Gguf;
using ChatEngine.Kernels;
using ChatEngine.Kernels.Quants;

namespace ChatEngine.Runtime.Lora;

/// <summary>What type a merged tensor is written as.</summary>
public enum MergedTensorType
{
    /// <summary>The base tensor's own type, re-quantized with llama.cpp's reference quantizers (a lossy step for quantized bases).</summary>
    Base,

    /// <summary>F32: the merge exactly as computed.</summary>
    F32,

    /// <summary>F16 (what llama-export-lora writes for a quantized base).</summary>
    F16,
}

/// <summary>
/// Writes a copy of a base model with adapters folded into its weights, like llama.cpp's <c>llama-export-lora</c>:
/// for each adapted matrix W' = W + sum over adapters of factor * B A (factor = scale * alpha / rank), computed in F32
/// from the dequantized base. Every other tensor and all metadata are copied unchanged.
/// </summary>
public static class LoraMerger
{
    public static void Merge(string basePath, IReadOnlyList<ScaledLoraAdapter> adapters, string outputPath, MergedTensorType outputType)
    {
        using var file = GgufFile.Open(basePath);
        var termsByTensor = adapters
            .Where(a => a.Scale != 0)
            .SelectMany(a => a.Adapter.Weights.Select(w => new LoraSelection.Term(w, w.Factor(a.Adapter.Alpha, a.Scale))))
            .GroupBy(t => t.Weight.BaseName)
            .ToDictionary(g => g.Key, g => g.ToArray());
        var missing = termsByTensor.Keys.FirstOrDefault(name => !file.TryGetTensor(name, out _));
        if (missing is not null) throw new ArgumentException($"'{basePath}' has no tensor '{missing}': merge with the base model the adapters were loaded for", nameof(basePath));

        var descriptors = file.Tensors
            .Select(t => termsByTensor.ContainsKey(t.Name) ? new GgufTensorDescriptor(t.Name, TypeOf(outputType, t.Type), t.Dimensions) : GgufTensorDescriptor.From(t))
            .ToList();
        using var stream = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new GgufWriter(stream);
        writer.WriteHeader(file.Metadata, descriptors);
        for (var i = 0; i < descriptors.Count; i++)
        {
            var tensor = file.Tensors[i];
            if (termsByTensor.TryGetValue(tensor.Name, out var terms)) WriteMerged(writer, file, tensor, descriptors[i].Type, terms);
            else writer.WriteTensorData(file.TensorBytes(tensor));
        }
        writer.Finish();
    }

    private static GgmlType TypeOf(MergedTensorType outputType, GgmlType baseType) => outputType switch
    {
        MergedTensorType.Base => baseType,
        MergedTensorType.F32 => GgmlType.F32,
        MergedTensorType.F16 => GgmlType.F16,
        _ => throw new ArgumentOutOfRangeException(nameof(outputType), outputType, "unknown merged tensor type"),
    };

    /// <summary>Row by row, so a large matrix never has to be held in memory whole.</summary>
    private static void WriteMerged(GgufWriter writer, GgufFile file, GgufTensorInfo tensor, GgmlType outputType, LoraSelection.Term[] terms)
    {
        var cols = (int)tensor.Dimensions[0];
        var rows = (int)tensor.Rows;
        var factors = terms.Select(t => LowRankFactors.Of(t.Weight)).ToArray();
        var baseRowBytes = (int)GgmlTypeInfo.RowBytes(tensor.Type, cols);
        var outRow = new byte[GgmlTypeInfo.RowBytes(outputType, cols)];
        var row = new float[cols];
        var delta = new float[cols];
        var source = file.TensorBytes(tensor);
        for (var r = 0; r < rows; r++)
        {
            QuantFormats.Dequantize(tensor.Type, source.Slice(r * baseRowBytes, baseRowBytes), row);
            for (var t = 0; t < terms.Length; t++)
            {
                factors[t].DeltaRow(r, delta);
                TensorPrimitives.Multiply(delta, terms[t].Factor, delta);
                TensorPrimitives.Add(row, delta, row);
            }
            QuantFormats.Quantize(outputType, row, outRow);
            writer.WriteTensorPart(outRow);
        }
    }

    /// <summary>
    /// The product B A as left (rows x rank) times right (rank x cols), both dequantized. For the embedding the adapter
    /// stores the pair flipped, so left is A (vocab x rank) and right is B transposed (rank x embd).
    /// </summary>
    private sealed class LowRankFactors(float[] left, float[] right, int rank, int cols)
    {
        public static LowRankFactors Of(LoraWeight w)
        {
            var (a, b) = (Dequantize(w.A), Dequantize(w.B));
            if (!w.IsEmbedding) return new LowRankFactors(b, a, w.Rank, w.A.Cols);
            var transposed = new float[b.Length];
            for (var e = 0; e < w.B.Rows; e++)
                for (var k = 0; k < w.Rank; k++) transposed[k * w.B.Rows + e] = b[e * w.Rank + k];
            return new LowRankFactors(a, transposed, w.Rank, w.B.Rows);
        }

        /// <summary>delta = row <paramref name="row"/> of left times right, summing over the rank in order.</summary>
        public void DeltaRow(int row, Span<float> delta)
        {
            delta.Clear();
            for (var k = 0; k < rank; k++)
                TensorPrimitives.MultiplyAdd(right.AsSpan(k * cols, cols), left[row * rank + k], delta, delta);
        }

        private static float[] Dequantize(WeightMatrix m)
        {
            var values = new float[m.Rows * m.Cols];
            for (var r = 0; r < m.Rows; r++) QuantFormats.Dequantize(m.Type, m.Row(r), values.AsSpan(r * m.Cols, m.Cols));
            return values;
        }
    }
}
