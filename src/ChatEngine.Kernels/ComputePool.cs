namespace ChatEngine.Kernels;

/// <summary>Worker threads that run the parallel kernels. (Skeleton: runs inline; replaced by the kernels work.)</summary>
public sealed class ComputePool : IDisposable
{
    public ComputePool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ThreadCount = threads;
    }

    public int ThreadCount { get; }

    public void Dispose()
    {
    }
}
