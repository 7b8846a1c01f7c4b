using System.Globalization;

namespace ChatEngine.Training;

/// <summary>Optimizer, schedule and batching settings of a fine-tuning run.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 3;
    public float LearningRate { get; init; } = 1e-3f;
    public int WarmupSteps { get; init; } = 10;

    /// <summary>The cosine decay ends at LearningRate · MinLearningRateRatio.</summary>
    public float MinLearningRateRatio { get; init; } = 0.1f;

    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>Global gradient L2 norm above which gradients are scaled down; 0 disables clipping.</summary>
    public float MaxGradientNorm { get; init; } = 1f;

    /// <summary>Packed rows whose gradients are summed into one optimizer step.</summary>
    public int GradientAccumulation { get; init; } = 4;

    /// <summary>Tokens per packed row (the training context).</summary>
    public int RowTokens { get; init; } = 256;

    public int Seed { get; init; } = 42;

    /// <summary>Compute threads; results are identical for any value.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Optimizer steps between checkpoints (one is also written at each epoch end and on interruption).</summary>
    public int CheckpointEvery { get; init; } = 20;

    public void Validate()
    {
        void Positive(string name, double value)
        {
            if (!(value > 0)) throw new ArgumentException($"{name} must be positive, got {value}", name);
        }
        Positive(nameof(Epochs), Epochs);
        Positive(nameof(LearningRate), LearningRate);
        Positive(nameof(GradientAccumulation), GradientAccumulation);
        Positive(nameof(RowTokens), RowTokens - 1);
        Positive(nameof(Threads), Threads);
        Positive(nameof(CheckpointEvery), CheckpointEvery);
        if (WarmupSteps < 0) throw new ArgumentException($"{nameof(WarmupSteps)} must not be negative", nameof(WarmupSteps));
        if (!(MinLearningRateRatio >= 0 && MinLearningRateRatio <= 1))
            throw new ArgumentException($"{nameof(MinLearningRateRatio)} must be in [0, 1]", nameof(MinLearningRateRatio));
        if (!(WeightDecay >= 0)) throw new ArgumentException($"{nameof(WeightDecay)} must not be negative", nameof(WeightDecay));
        if (!(MaxGradientNorm >= 0)) throw new ArgumentException($"{nameof(MaxGradientNorm)} must not be negative", nameof(MaxGradientNorm));
    }

    /// <summary>The settings that change the result (not threads or checkpoint spacing), for matching a checkpoint.</summary>
    public string ResultSettings() => string.Create(CultureInfo.InvariantCulture,
        $"epochs {Epochs}, lr {LearningRate}, warmup {WarmupSteps}, min-lr-ratio {MinLearningRateRatio}, weight-decay {WeightDecay}, clip {MaxGradientNorm}, grad-accum {GradientAccumulation}, ctx {RowTokens}, seed {Seed}");
}
