namespace ChatEngine.Eval.Running;

/// <summary>A snapshot of a running level for progress displays.</summary>
public readonly record struct LevelProgress(int Concurrency, int Completed, int Failed, TimeSpan Elapsed, RunBudget Budget)
{
    /// <summary>Fraction done in [0, 1], by requests or by time.</summary>
    public double Fraction => Budget.Requests is { } n ? (double)Completed / n : Math.Min(1, Elapsed / Budget.Duration!.Value);
}
