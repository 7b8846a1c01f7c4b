using System.Runtime.InteropServices;
using ChatEngine.Kernels.Gemm;

namespace ChatEngine.Kernels;

/// <summary>
/// Owns repacked copies of weight matrices (<see cref="WeightMatrix.Interleaved"/>) for the types and machines whose
/// kernels read a repacked layout faster than the file's; frees them on dispose. Matrices stay usable afterwards only
/// without their <see cref="WeightMatrix.Interleaved"/> copy, so dispose this with the model.
/// </summary>
public sealed unsafe class InterleavedWeights : IDisposable
{
    private readonly List<nint> _allocations = [];

    /// <summary>Bytes held by the repacked copies.</summary>
    public long Bytes { get; private set; }

    /// <summary><paramref name="w"/> with a repacked copy where its type has an interleaved kernel on this machine; otherwise <paramref name="w"/>.</summary>
    public WeightMatrix Interleave(in WeightMatrix w)
    {
        if (w.Interleaved != null || !RowInterleaving.CanPack(w)) return w;
        var bytes = (long)w.RowBytes * w.Rows;
        var copy = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        _allocations.Add((nint)copy);
        Bytes += bytes;
        RowInterleaving.Pack(w, copy);
        return w with { Interleaved = copy };
    }

    public void Dispose()
    {
        foreach (var allocation in _allocations) NativeMemory.AlignedFree((void*)allocation);
        _allocations.Clear();
        Bytes = 0;
    }
}
