using ChatEngine.Runtime;
using ChatEngine.TestData;
using ChatEngine.Training.Data;
using ChatEngine.Training.Lora;
using Xunit;

namespace ChatEngine.Training.Tests;

public sealed class TrainerTests
{
    private static readonly (string, string)[] Chats =
    [
        ("Where did Tom go?", "Tom went to the park."),
        ("What is the ball like?", "The ball is red."),
        ("Hi, I am Lily.", "Hello Lily!"),
        ("How did Sue feel?", "Sue felt happy."),
        ("Who found the cat?", "Ben found the cat."),
        ("Where is the fish?", "The fish is in the pond."),
    ];

    private static readonly LoraSettings Lora = new(4, 8, 0, LoraSettings.DefaultTargets);

    [Fact]
    public void OverfitsATinyDatasetByMoreThanNinetyPercent()
    {
        using var model = Stories.Load();
        var examples = Stories.Examples(Stories.DemoEncoder(model), Chats);
        var options = new TrainingOptions { Epochs = 40, LearningRate = 1e-2f, WarmupSteps = 5, GradientAccumulation = 1, RowTokens = 256 };
        var trainer = new LoraTrainer(model.Parameters, model.Weights, "stories260K", Lora, options, examples, examples);
        Assert.True(trainer.Run(null, null, CancellationToken.None));
        var before = trainer.History.Validation[0].Loss;
        var after = trainer.History.Validation[^1].Loss;
        Assert.True(after <= 0.1 * before, $"loss {before:F3} -> {after:F3}: fell by only {1 - after / before:P1}");
        Assert.True(trainer.History.StepLosses[^1] <= 0.1 * trainer.History.StepLosses[0]);
    }

    [Fact]
    public void ResumingFromACheckpointGivesTheSameBitsAsAnUninterruptedRun()
    {
        using var model = Stories.Load();
        using var dir = new Stories.TempDir();
        var examples = Stories.Examples(Stories.DemoEncoder(model), Chats);
        var options = new TrainingOptions { Epochs = 3, RowTokens = 64, GradientAccumulation = 1, CheckpointEvery = 100, Seed = 5 };
        var lora = Lora with { Dropout = 0.1f };
        LoraTrainer Create(int threads) =>
            new(model.Parameters, model.Weights, "stories260K", lora, options with { Threads = threads }, examples.Take(5).ToArray(), examples.Skip(5).ToArray());

        var uninterrupted = Create(1);
        Assert.True(uninterrupted.Run(dir.File("a.ckpt"), null, CancellationToken.None));

        var interrupted = Create(2);
        using var stop = new CancellationTokenSource();
        Assert.False(interrupted.Run(dir.File("b.ckpt"), new StopAfter(4, stop), stop.Token));
        Assert.Equal(4, interrupted.CompletedSteps);
        var resumed = Create(3);
        resumed.LoadCheckpoint(dir.File("b.ckpt"));
        Assert.Equal(4, resumed.CompletedSteps);
        Assert.True(resumed.Run(dir.File("b.ckpt"), null, CancellationToken.None));

        Assert.True(uninterrupted.Plan.Steps.Count > 6);
        AssertSameResult(uninterrupted, resumed);
    }

    /// <summary>
    /// A kill leaves on disk the last checkpoint written before it (here: step 3, or 4 at an epoch end, of a run saving every 3 steps, killed
    /// during step 5); resuming from that file ends with the same bits as a run never interrupted.
    /// </summary>
    [Fact]
    public void ResumingFromTheCheckpointAKillLeavesGivesTheSameBits()
    {
        using var model = Stories.Load();
        using var dir = new Stories.TempDir();
        var examples = Stories.Examples(Stories.DemoEncoder(model), Chats);
        var options = new TrainingOptions { Epochs = 2, RowTokens = 64, GradientAccumulation = 1, CheckpointEvery = 3, Seed = 9 };
        LoraTrainer Create() => new(model.Parameters, model.Weights, "stories260K", Lora, options, examples, []);

        var uninterrupted = Create();
        Assert.True(uninterrupted.Run(null, null, CancellationToken.None));
        var killed = Create();
        using var stop = new CancellationTokenSource();
        killed.Run(dir.File("run.ckpt"), new CopyAt(5, dir.File("run.ckpt"), dir.File("at-kill.ckpt"), stop), stop.Token);
        var resumed = Create();
        resumed.LoadCheckpoint(dir.File("at-kill.ckpt"));
        Assert.InRange(resumed.CompletedSteps, 3, 4);
        Assert.True(resumed.Run(dir.File("at-kill.ckpt"), null, CancellationToken.None));
        AssertSameResult(uninterrupted, resumed);
    }

    [Fact]
    public void ACheckpointOfOtherSettingsIsRefused()
    {
        using var model = Stories.Load();
        using var dir = new Stories.TempDir();
        var examples = Stories.Examples(Stories.DemoEncoder(model), Chats);
        var options = new TrainingOptions { Epochs = 1, RowTokens = 160 };
        var first = new LoraTrainer(model.Parameters, model.Weights, "stories260K", Lora, options, examples, []);
        first.SaveCheckpoint(dir.File("c.ckpt"));
        var other = new LoraTrainer(model.Parameters, model.Weights, "stories260K", Lora, options with { LearningRate = 0.5f }, examples, []);
        var error = Assert.Throws<CheckpointMismatchException>(() => other.LoadCheckpoint(dir.File("c.ckpt")));
        Assert.Contains("lr 0.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheScheduleWarmsUpLinearlyThenDecaysToTheFloor()
    {
        var schedule = new Optimization.LearningRateSchedule(1f, 4, 21, 0.1f);
        Assert.Equal([0.25f, 0.5f, 0.75f, 1f], Enumerable.Range(0, 4).Select(schedule.At));
        Assert.Equal(0.55f, schedule.At(12), 6);
        Assert.Equal(0.1f, schedule.At(20), 6);
        Assert.True(Enumerable.Range(4, 16).All(s => schedule.At(s) > schedule.At(s + 1)));
    }

    private static void AssertSameResult(LoraTrainer expected, LoraTrainer actual)
    {
        foreach (var (a, b) in expected.Adapter.Pairs.Zip(actual.Adapter.Pairs))
        {
            Assert.Equal(a.A, b.A);
            Assert.Equal(a.B, b.B);
        }
        Assert.Equal(expected.History.StepLosses, actual.History.StepLosses);
        Assert.Equal(expected.History.Validation, actual.History.Validation);
    }

    /// <summary>Copies the checkpoint file as it is on disk when step <paramref name="step"/> ends, then stops the run.</summary>
    private sealed class CopyAt(int step, string checkpoint, string copy, CancellationTokenSource source) : ITrainingObserver
    {
        public void StepCompleted(TrainingProgress progress)
        {
            if (progress.Step != step) return;
            File.Copy(checkpoint, copy);
            source.Cancel();
        }

        public void ValidationCompleted(ValidationPoint point)
        {
        }
    }

    private sealed class StopAfter(int steps, CancellationTokenSource source) : ITrainingObserver
    {
        public void StepCompleted(TrainingProgress progress)
        {
            if (progress.Step == steps) source.Cancel();
        }

        public void ValidationCompleted(ValidationPoint point)
        {
        }
    }

    [SharedTheory]
    [InlineData("tiny-gemma3-F32.gguf", "QK-norm")]
    [InlineData("tiny-phi3-F32.gguf", "fused")]
    public void FineTuningAnArchitectureTheTrainingForwardPassLacksIsRefusedNamingWhatItLacks(string file, string lacking)
    {
        using var model = LanguageModel.Load(TestPaths.Model(file), threads: 1);
        TrainingExample[] examples = [new(1, [1, 5, 6, 7], [false, true, true, true])];

        var error = Assert.Throws<NotSupportedException>(() =>
            new LoraTrainer(model.Parameters, model.Weights, file, Lora, new TrainingOptions { Epochs = 1, RowTokens = 160 }, examples, []));
        Assert.Contains(model.Parameters.Architecture, error.Message, StringComparison.Ordinal);
        Assert.Contains(lacking, error.Message, StringComparison.Ordinal);
    }
}
