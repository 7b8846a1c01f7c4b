using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ChatEngine.Kernels;

/// <summary>
/// Measures how fast the pool's threads can read memory that no cache holds: the physical limit of a decode step,
/// which reads every weight once.
/// </summary>
public static unsafe class MemoryBandwidth
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>
    /// The median of <paramref name="passes"/> reads of a <paramref name="bytes"/>-byte buffer (far larger than the
    /// last-level cache) by all the pool's threads, in bytes per second (the median: single passes on a shared virtual
    /// machine sometimes run far above or below the rest).
    /// </summary>
    public static double MeasureReadBytesPerSecond(ComputePool pool, long bytes = 1L << 30, int passes = 9)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, ChunkBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        var chunks = (int)(bytes / ChunkBytes);
        var buffer = (byte*)NativeMemory.AlignedAlloc((nuint)chunks * ChunkBytes, 64);
        try
        {
            new Span<byte>(buffer, chunks * ChunkBytes).Fill(1);
            var job = new ReadJob(buffer);
            var seconds = new double[passes];
            for (var pass = 0; pass < passes; pass++)
            {
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                pool.Run(job, chunks, 1);
                seconds[pass] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            Array.Sort(seconds);
            return (double)chunks * ChunkBytes / seconds[passes / 2];
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    /// <summary>Sums each 1 MiB chunk as 32-bit integers with four independent accumulators; the sum is kept so the reads stay.</summary>
    private sealed class ReadJob(byte* buffer) : IComputeJob
    {
        private long _sink;

        public void Execute(int start, int end)
        {
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var chunk = start; chunk < end; chunk++)
            {
                var p = (Vector256<int>*)(buffer + (long)chunk * ChunkBytes);
                for (var i = 0; i < ChunkBytes / 32; i += 4)
                {
                    a0 += p[i];
                    a1 += p[i + 1];
                    a2 += p[i + 2];
                    a3 += p[i + 3];
                }
            }
            Interlocked.Add(ref _sink, Vector256.Sum((a0 + a1) + (a2 + a3)));
        }
    }
}
