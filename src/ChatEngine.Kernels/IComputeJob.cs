namespace ChatEngine.Kernels;

/// <summary>Work that <see cref="ComputePool.Run"/> splits into ranges of item indices.</summary>
public interface IComputeJob
{
    /// <summary>Processes items [<paramref name="start"/>, <paramref name="end"/>). Called concurrently for disjoint ranges.</summary>
    void Execute(int start, int end);
}
