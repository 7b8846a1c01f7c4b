using ChatEngine.Gguf;
using ChatEngine.Kernels.Dot;

namespace ChatEngine.Kernels.Gemm;

/// <summary>
/// A matrix-product kernel over a tile of <see cref="Rows"/> weight rows and 1 (<see cref="OneToken"/>) or
/// <see cref="TokenGroup"/> (<see cref="FourTokens"/>) tokens, either of which may be null where it would not pay:
/// writes <c>output[t * outputStride + r] = dot(weight row r, activation row t)</c>, reading each weight block once
/// for all of them. Every output is bitwise the value of the row-by-row AVX2 kernel
/// (<see cref="VecDot.Kernel(GgmlType, bool)"/>): the tile only shares loads and the decoding of weight blocks; each
/// output keeps its own accumulator updated in the row kernel's order. Only quantized types have tiles.
/// </summary>
internal readonly unsafe struct TileKernel(
    int rows,
    delegate*<byte*, int, byte*, int, float*, int, int, void> oneToken,
    delegate*<byte*, int, byte*, int, float*, int, int, void> fourTokens)
{
    /// <summary>Tokens per call of <see cref="FourTokens"/>.</summary>
    public const int TokenGroup = 4;

    public int Rows { get; } = rows;
    public delegate*<byte*, int, byte*, int, float*, int, int, void> OneToken { get; } = oneToken;
    public delegate*<byte*, int, byte*, int, float*, int, int, void> FourTokens { get; } = fourTokens;

    /// <summary>The tile kernel for weights of <paramref name="type"/> on this machine, if there is one.</summary>
    public static TileKernel? For(GgmlType type)
    {
        if (!KernelIsa.Avx2Active) return null;
        return type switch
        {
            GgmlType.Q4_K => new TileKernel(Q4_KTile.Rows, null, &Q4_KTile.FourTokens),
            GgmlType.Q6_K => new TileKernel(Q6_KTile.Rows, null, &Q6_KTile.FourTokens),
            _ => null,
        };
    }
}
