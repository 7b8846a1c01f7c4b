using ChatEngine.Kernels;

namespace ChatEngine.Runtime.Lora;

/// <summary>
/// The low-rank pair an adapter adds to one base matrix W (rows x cols): A is rank x cols and B is rows x rank in
/// ggml's layout, so W' = W + s B A. For <c>token_embd.weight</c> llama.cpp stores the pair flipped (A is
/// vocab x rank, read by token id like the embedding itself; B is embd x rank), see <see cref="IsEmbedding"/>.
/// </summary>
public sealed record LoraWeight(string BaseName, WeightMatrix Base, WeightMatrix A, WeightMatrix B, bool IsEmbedding)
{
    public const string EmbeddingName = "token_embd.weight";

    public int Rank => B.Cols;

    /// <summary>llama.cpp's factor: scale * alpha / rank, or the scale alone when the adapter has no alpha (0).</summary>
    public float Factor(float alpha, float scale) => alpha != 0 ? scale * alpha / Rank : scale;
}
