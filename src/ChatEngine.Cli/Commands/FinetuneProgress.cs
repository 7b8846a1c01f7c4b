using System.Globalization;
using ChatEngine.Eval.Commands;
using ChatEngine.Training;
using Spectre.Console;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// Progress over a training run (loss, tokens/s and ETA): a Spectre.Console bar with validation lines above it on a
/// terminal, plain occasional lines otherwise (see <see cref="ConsoleProgress.Live"/>).
/// </summary>
internal sealed class FinetuneProgress : ITrainingObserver
{
    private readonly ProgressTask? _task;
    private readonly ConsoleProgress _lines = new();

    private FinetuneProgress(ProgressTask? task) => _task = task;

    /// <summary>Runs the trainer under a progress display; returns whether the run completed.</summary>
    public static bool Show(LoraTrainer trainer, string checkpointPath, CancellationToken cancellation) =>
        ConsoleProgress.Live ? ShowBar(trainer, checkpointPath, cancellation) : trainer.Run(checkpointPath, new FinetuneProgress(null), cancellation);

    private static bool ShowBar(LoraTrainer trainer, string checkpointPath, CancellationToken cancellation) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: trainer.Plan.Steps.Count);
                task.Value = trainer.CompletedSteps;
                return trainer.Run(checkpointPath, new FinetuneProgress(task), cancellation);
            });

    public void StepCompleted(TrainingProgress p)
    {
        var description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} lr {p.LearningRate:G3} {p.TokensPerSecond:F0} tok/s ETA {p.Remaining:hh\\:mm\\:ss}");
        if (_task is null)
        {
            _lines.Report(description, p.Step == p.TotalSteps);
            return;
        }
        _task.Value = p.Step;
        _task.Description = description;
    }

    public void ValidationCompleted(ValidationPoint point) =>
        ConsoleProgress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {point.Epoch}: validation loss {point.Loss:F4}, perplexity {point.Perplexity:F2} (after {point.Step} steps)"));
}
