using System.Diagnostics;
using ChatEngine.Runtime.Model;
using ChatEngine.Training.Data;
using ChatEngine.Training.Lora;
using ChatEngine.Training.Optimization;

namespace ChatEngine.Training;

/// <summary>
/// Runs a fine-tuning plan: per optimizer step, forward/backward over its packed rows (loss = mean NLL over the
/// assistant tokens of the step), AdamW with warm-up + cosine schedule and clipping, validation before training and
/// after every epoch, checkpoints every N steps, at epoch ends and when cancelled. Everything random derives from the
/// seed and the step number, so a run resumed from any checkpoint ends with the same bits as an uninterrupted one.
/// </summary>
public sealed class LoraTrainer
{
    private readonly LoraTrainingModel _model;
    private readonly TrainingOptions _options;
    private readonly IReadOnlyList<PackedSequence> _validationRows;
    private readonly LearningRateSchedule _schedule;
    private readonly AdamW _optimizer;

    /// <param name="modelIdentity">Describes the base model (e.g. file name and size) so a checkpoint is not resumed on another.</param>
    public LoraTrainer(ModelHyperParameters parameters, ModelWeights weights, string modelIdentity, LoraSettings lora, TrainingOptions options,
        IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample> validation)
    {
        options.Validate();
        lora.Validate();
        if (train.Count == 0) throw new ArgumentException("there is nothing to train on", nameof(train));
        _options = options;
        Adapter = LoraAdapter.Create(parameters, lora, options.Seed);
        _model = new LoraTrainingModel(parameters, weights, Adapter, options.RowTokens, options.Threads);
        Plan = TrainingPlan.Build(train, options.RowTokens, options.Epochs, options.GradientAccumulation, options.Seed);
        _validationRows = TrainingPlan.Pack(validation, options.RowTokens);
        _schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, Plan.Steps.Count, options.MinLearningRateRatio);
        _optimizer = new AdamW(Adapter, weightDecay: options.WeightDecay);
        Fingerprint = $"model {modelIdentity}; lora {lora}; {options.ResultSettings()}; data {DataHash(train, validation)}";
    }

    public LoraAdapter Adapter { get; }
    public LoraTrainingModel Model => _model;
    public TrainingPlan Plan { get; }
    public TrainingHistory History { get; } = new();
    public string Fingerprint { get; }

    /// <summary>Optimizer steps done (the index of the next planned step).</summary>
    public int CompletedSteps => _optimizer.StepCount;

    public bool IsComplete => CompletedSteps >= Plan.Steps.Count;

    public bool HasValidation => _validationRows.Count > 0;

    public void LoadCheckpoint(string path) => TrainingCheckpoint.Load(path, Fingerprint, Adapter, _optimizer, History);

    public void SaveCheckpoint(string path) => TrainingCheckpoint.Save(path, Fingerprint, Adapter, _optimizer, History);

    /// <summary>Trains until the plan is done or <paramref name="cancellation"/> fires (then after the current step); returns whether it is done.</summary>
    public bool Run(string? checkpointPath, ITrainingObserver? observer, CancellationToken cancellation)
    {
        if (CompletedSteps == 0 && History.Validation.Count == 0 && HasValidation) Validate(0, observer);
        var savedAt = -1;
        while (!IsComplete && !cancellation.IsCancellationRequested)
        {
            var step = CompletedSteps;
            var planned = Plan.Steps[step];
            var started = Stopwatch.GetTimestamp();
            TrainStep(step, planned);
            History.Seconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
            observer?.StepCompleted(new TrainingProgress(CompletedSteps, Plan.Steps.Count, planned.Epoch + 1, Plan.Epochs,
                History.StepLosses[^1], _schedule.At(step), History.TokensPerSecond,
                TimeSpan.FromSeconds(History.Seconds / CompletedSteps * (Plan.Steps.Count - CompletedSteps))));
            if (planned.EndsEpoch && HasValidation) Validate(planned.Epoch + 1, observer);
            if (checkpointPath is not null && (CompletedSteps % _options.CheckpointEvery == 0 || planned.EndsEpoch))
            {
                SaveCheckpoint(checkpointPath);
                savedAt = CompletedSteps;
            }
        }
        if (checkpointPath is not null && savedAt != CompletedSteps) SaveCheckpoint(checkpointPath);
        return IsComplete;
    }

    /// <summary>Mean NLL per target token over the validation split (NaN without one).</summary>
    public float ValidationLoss()
    {
        if (!HasValidation) return float.NaN;
        var loss = _validationRows.Sum(_model.Loss);
        return (float)(loss / _validationRows.Sum(r => r.TargetCount));
    }

    private void TrainStep(int step, PlannedStep planned)
    {
        Adapter.ClearGradients();
        var targets = Math.Max(1, planned.TargetCount);
        var loss = 0.0;
        for (var r = 0; r < planned.Rows.Count; r++)
        {
            var dropout = Adapter.Settings.Dropout > 0 ? new Random(unchecked(_options.Seed * 7919 + step * 131 + r)) : null;
            loss += _model.Train(planned.Rows[r], 1f / targets, dropout);
        }
        _optimizer.Step(_schedule.At(step), _options.MaxGradientNorm);
        History.StepLosses.Add((float)(loss / targets));
        History.Tokens += planned.TokenCount;
    }

    private void Validate(int epoch, ITrainingObserver? observer)
    {
        var point = new ValidationPoint(CompletedSteps, epoch, ValidationLoss());
        History.Validation.Add(point);
        observer?.ValidationCompleted(point);
    }

    private static string DataHash(IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample> validation)
    {
        var hash = 14695981039346656037UL;
        void Add(int value) => hash = (hash ^ (uint)value) * 1099511628211UL;
        foreach (var example in train.Concat(validation))
        {
            Add(example.Tokens.Length);
            foreach (var token in example.Tokens) Add(token);
            foreach (var target in example.IsTarget) Add(target ? 1 : 0);
        }
        return $"{train.Count}+{validation.Count} conversations, {hash:x16}";
    }
}
