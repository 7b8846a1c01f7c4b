namespace ChatEngine.Runtime.Model;

/// <summary>
/// Which parts of a token's computation use llama.cpp's single-token summation order. Its CPU kernels add in a
/// different order when a forward pass (ubatch) holds one token than when it holds several: F16 attention sums the
/// weighted values differently for a one-token evaluation, and F32/F16/BF16 matrix products use vec_dot for one token
/// but tinyBLAS for several. The results differ in the last bits, so to give a token exactly what evaluating its
/// sequence alone gives, a batch records per token how that solo evaluation would have summed.
/// </summary>
[Flags]
public enum SummationOrder : byte
{
    /// <summary>Everything as for several tokens.</summary>
    Batch = 0,

    /// <summary>Attention as for a one-token evaluation (decoding).</summary>
    SingleTokenAttention = 1,

    /// <summary>The layers' matrix products as for a one-token chunk.</summary>
    SingleTokenLayers = 2,

    /// <summary>The output head as for one logits row.</summary>
    SingleTokenOutput = 4,
}
