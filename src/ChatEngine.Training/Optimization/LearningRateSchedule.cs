namespace ChatEngine.Training.Optimization;

/// <summary>Linear warm-up from 0 to the peak over the first steps, then cosine decay to <c>peak · minRatio</c> at the last step.</summary>
public sealed record LearningRateSchedule(float Peak, int WarmupSteps, int TotalSteps, float MinRatio)
{
    /// <summary>The rate for 0-based optimizer step <paramref name="step"/>.</summary>
    public float At(int step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        var decaySteps = Math.Max(1, TotalSteps - WarmupSteps - 1);
        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        var minimum = Peak * MinRatio;
        return (float)(minimum + (Peak - minimum) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
