namespace ChatEngine.Training.Lora;

/// <summary>
/// The two low-rank factors on one projection, row-major like ggml stores them: <see cref="A"/> is rank x inputs
/// (ggml ne = [inputs, rank], the <c>.lora_a</c> tensor) and <see cref="B"/> is outputs x rank (ne = [rank, outputs],
/// <c>.lora_b</c>), with their gradients.
/// </summary>
public sealed class LoraPair
{
    public LoraPair(int layer, LoraTarget target, int inputs, int outputs, int rank)
    {
        Layer = layer;
        Target = target;
        Inputs = inputs;
        Outputs = outputs;
        Rank = rank;
        A = new float[rank * inputs];
        B = new float[outputs * rank];
        GradA = new float[A.Length];
        GradB = new float[B.Length];
    }

    public int Layer { get; }
    public LoraTarget Target { get; }
    public int Inputs { get; }
    public int Outputs { get; }
    public int Rank { get; }
    public float[] A { get; }
    public float[] B { get; }
    public float[] GradA { get; }
    public float[] GradB { get; }

    /// <summary>The base tensor this pair adapts, e.g. <c>blk.3.attn_v.weight</c>.</summary>
    public string BaseTensorName => Target.TensorName(Layer);

    public void ClearGradients()
    {
        Array.Clear(GradA);
        Array.Clear(GradB);
    }
}
