namespace ChatEngine.Kernels.Benchmarks;

/// <summary>What one invocation of a benchmark moves and computes: bytes read from memory and floating-point (or
/// integer multiply-add) operations, counting a multiply-add as 2.</summary>
public readonly record struct Workload(double Bytes, double Operations);

/// <summary>A benchmark class whose invocations do a known amount of work, for the throughput columns.</summary>
public interface IHasWorkload
{
    /// <summary>The work of one invocation of <paramref name="benchmarkMethod"/> with the current parameters.</summary>
    Workload WorkloadOf(string benchmarkMethod);
}
