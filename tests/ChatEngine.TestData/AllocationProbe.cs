namespace ChatEngine.TestData;

/// <summary>Measures managed allocation of steady-state code on the current thread.</summary>
public static class AllocationProbe
{
    /// <summary>
    /// Bytes allocated by <paramref name="round"/> in the quietest of up to <paramref name="rounds"/> runs (stopping at
    /// the first zero). Tiered JIT can recompile a method during one run and allocate for it; an allocation the code
    /// itself makes shows in every run, so "quietest run allocates 0" is the steady-state property.
    /// </summary>
    public static long QuietestRound(Action round, int rounds = 5)
    {
        var quietest = long.MaxValue;
        for (var i = 0; i < rounds && quietest > 0; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            round();
            quietest = Math.Min(quietest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return quietest;
    }
}
