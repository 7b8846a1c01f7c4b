namespace ChatEngine.Training;

/// <summary>A snapshot after an optimizer step, for progress displays.</summary>
public sealed record TrainingProgress(
    int Step,
    int TotalSteps,
    int Epoch,
    int Epochs,
    float Loss,
    float LearningRate,
    double TokensPerSecond,
    TimeSpan Remaining);
