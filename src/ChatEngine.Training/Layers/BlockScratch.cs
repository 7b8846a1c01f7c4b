using ChatEngine.Runtime.Model;

namespace ChatEngine.Training.Layers;

/// <summary>Buffers every block uses in turn (projection outputs and the backward pass's intermediate gradients).</summary>
internal sealed class BlockScratch(ModelHyperParameters p, int maxTokens)
{
    public float[] Projected { get; } = new float[maxTokens * p.EmbeddingSize];
    public float[] Normed { get; } = new float[maxTokens * p.EmbeddingSize];
    public float[] Attended { get; } = new float[maxTokens * p.HeadCount * p.HeadSize];
    public float[] Query { get; } = new float[maxTokens * p.HeadCount * p.HeadSize];
    public float[] Key { get; } = new float[maxTokens * p.KvSize];
    public float[] Value { get; } = new float[maxTokens * p.KvSize];
    public float[] Activated { get; } = new float[maxTokens * p.FeedForwardSize];
    public float[] Gate { get; } = new float[maxTokens * p.FeedForwardSize];
    public float[] Up { get; } = new float[maxTokens * p.FeedForwardSize];
}
