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

    /// <summary>
    /// <paramref name="w"/> with a repacked copy where its type has an interleaved kernel on this machine; otherwise
    /// <paramref name="w"/>. The copy is made by all cores, a slice of rows each; <paramref name="sourceCopied"/>
    /// (start, bytes), if given, hears of each slice of the source rows once it is copied (from the copying thread, in
    /// no particular order), so a caller can let those pages go while the rest is still being copied.
    /// </summary>
    public WeightMatrix Interleave(in WeightMatrix w, Action<nint, long>? sourceCopied = null)
    {
        if (w.Interleaved != null || !RowInterleaving.CanPack(w)) return w;
        var groups = w.Rows / RowInterleaving.Rows;
        var bytes = RowInterleaving.GroupBytes(w) * groups;
        var copy = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        _allocations.Add((nint)copy);
        Bytes += bytes;
        var matrix = w;
        var destination = (nint)copy;
        var sourceGroupBytes = (long)w.RowBytes * RowInterleaving.Rows;
        var groupsPerSlice = (int)Math.Max(1, SliceBytes / sourceGroupBytes);
        Parallel.For(0, (groups + groupsPerSlice - 1) / groupsPerSlice, slice =>
        {
            var first = slice * groupsPerSlice;
            var end = Math.Min(groups, first + groupsPerSlice);
            RowInterleaving.Pack(matrix, (byte*)destination, first, end);
            sourceCopied?.Invoke((nint)(matrix.Data + first * sourceGroupBytes), (end - first) * sourceGroupBytes);
        });
        return w with { Interleaved = copy };
    }

    /// <summary>Source bytes copied between two <c>sourceCopied</c> calls.</summary>
    private const long SliceBytes = 8 << 20;

    public void Dispose()
    {
        foreach (var allocation in _allocations) NativeMemory.AlignedFree((void*)allocation);
        _allocations.Clear();
        Bytes = 0;
    }
}
