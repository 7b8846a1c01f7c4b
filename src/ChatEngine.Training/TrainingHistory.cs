namespace ChatEngine.Training;

/// <summary>What a run has done so far; saved in checkpoints so a resumed run reports and plots the whole run.</summary>
public sealed class TrainingHistory
{
    /// <summary>Mean loss (nats per target token) of each optimizer step.</summary>
    public List<float> StepLosses { get; } = [];

    /// <summary>Validation loss before training (step 0) and after each epoch.</summary>
    public List<ValidationPoint> Validation { get; } = [];

    /// <summary>Tokens forwarded and backpropagated so far.</summary>
    public long Tokens { get; set; }

    /// <summary>Training wall time so far, validation excluded.</summary>
    public double Seconds { get; set; }

    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;
}
