using ChatEngine.Kernels.Quants;
using ChatEngine.Runtime.Model;
using ChatEngine.Training.Data;
using ChatEngine.Training.Layers;
using ChatEngine.Training.Lora;

namespace ChatEngine.Training;

/// <summary>
/// A frozen base model (Runtime's hyper-parameters and mapped weights, any quant type) with a trainable LoRA adapter:
/// forward and backward passes over one packed row of up to <see cref="MaxTokens"/> tokens. The embedding, norms and
/// output head are frozen, so the gradient stops at the embedding lookup. Results are the same bits for any thread
/// count. Not thread-safe.
/// </summary>
public sealed class LoraTrainingModel
{
    private readonly ModelHyperParameters _p;
    private readonly ModelWeights _w;
    private readonly TransformerBlock[] _blocks;
    private readonly BlockScratch _scratch;
    private readonly OutputHead _head;
    private readonly RopeTable _rope;
    private readonly ParallelOptions _parallel;
    private readonly float[] _x, _dx;

    public LoraTrainingModel(ModelHyperParameters parameters, ModelWeights weights, LoraAdapter adapter, int maxTokens, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        if (weights.Layers.Any(l => l.Experts is not null))
            throw new NotSupportedException($"LoRA fine-tuning of mixture-of-experts models ({parameters.Architecture}) is not supported");
        _p = parameters;
        _w = weights;
        Adapter = adapter;
        MaxTokens = maxTokens;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        _blocks = Enumerable.Range(0, parameters.LayerCount)
            .Select(i => new TransformerBlock(parameters, weights.Layers[i], i, adapter, maxTokens)).ToArray();
        _scratch = new BlockScratch(parameters, maxTokens);
        _head = new OutputHead(parameters, weights, maxTokens);
        _rope = new RopeTable(parameters, weights.RopeFrequencyFactors, maxTokens);
        _x = new float[maxTokens * parameters.EmbeddingSize];
        _dx = new float[maxTokens * parameters.EmbeddingSize];
    }

    public ModelHyperParameters Parameters => _p;
    public LoraAdapter Adapter { get; }
    public int MaxTokens { get; }

    /// <summary>
    /// Forward and backward over <paramref name="sequence"/>: adds the gradient of <paramref name="gradientScale"/>
    /// times the summed target NLL to the adapter's gradients; returns the summed NLL (nats).
    /// </summary>
    /// <param name="dropout">Draws the LoRA dropout masks; null trains without dropout.</param>
    public double Train(PackedSequence sequence, float gradientScale, Random? dropout)
    {
        Forward(sequence, dropout);
        var n = sequence.Length;
        Array.Clear(_dx, 0, n * _p.EmbeddingSize);
        var loss = _head.Loss(_x, sequence.Targets, n, gradientScale, _dx, _parallel);
        for (var layer = _blocks.Length - 1; layer >= 0; layer--) _blocks[layer].Backward(_dx, sequence, _rope, _scratch, _parallel);
        return loss;
    }

    /// <summary>Summed target NLL (nats) without dropout or gradients.</summary>
    public double Loss(PackedSequence sequence)
    {
        Forward(sequence, null);
        return _head.Loss(_x, sequence.Targets, sequence.Length, 0, null, _parallel);
    }

    /// <summary>Next-token logits after the last token of one document (valid until the next call).</summary>
    public ReadOnlySpan<float> NextTokenLogits(IReadOnlyList<int> tokens)
    {
        var sequence = new PackedSequence([new TrainingExample(0, tokens.ToArray(), new bool[tokens.Count])]);
        Forward(sequence, null);
        return _head.Logits(_x, [tokens.Count - 1], _parallel);
    }

    private void Forward(PackedSequence sequence, Random? dropout)
    {
        var n = sequence.Length;
        if (n > MaxTokens) throw new ArgumentException($"the sequence has {n} tokens, more than the model's {MaxTokens}", nameof(sequence));
        var embd = _p.EmbeddingSize;
        for (var t = 0; t < n; t++)
        {
            var token = sequence.Tokens[t];
            if ((uint)token >= (uint)_p.VocabSize) throw new ArgumentException($"token id {token} is outside the vocabulary of {_p.VocabSize}", nameof(sequence));
            QuantFormats.Dequantize(_w.TokenEmbedding.Type, _w.TokenEmbedding.Row(token), _x.AsSpan(t * embd, embd));
        }
        foreach (var block in _blocks) block.Forward(_x, sequence, _rope, _scratch, dropout, _parallel);
    }
}
