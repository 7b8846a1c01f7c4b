using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ChatEngine.Eval.Commands;
using ChatEngine.Gguf;
using ChatEngine.Runtime;
using ChatEngine.Templates;
using ChatEngine.Training;
using ChatEngine.Training.Data;
using ChatEngine.Training.Lora;

namespace ChatEngine.Cli.Commands;

/// <summary>One <c>finetune</c> invocation: load, report bad lines, train with a progress bar, export, summarize.</summary>
internal sealed record FinetuneRun(
    string ModelPath,
    string DataPath,
    string? ValidationPath,
    double ValidationFraction,
    string? TemplatePath,
    string OutputPath,
    GgmlType OutputType,
    string CheckpointPath,
    bool Resume,
    BadLinePolicy BadLines,
    string LossSvgPath,
    IReadOnlyList<string> Samples,
    int SampleTokens)
{
    /// <summary>Exit code when Ctrl+C / SIGTERM stopped the run after saving a checkpoint (128 + SIGINT).</summary>
    public const int InterruptedExitCode = 130;

    public int Execute(LoraSettings lora, TrainingOptions options)
    {
        lora.Validate();
        options.Validate();
        using var lm = LanguageModel.Load(ModelPath, 1);
        var renderer = TemplatePath is null
            ? ChatPromptRenderer.ForModel(lm)
            : new ChatPromptRenderer(ChatTemplate.Parse(File.ReadAllText(TemplatePath)), lm.Tokenizer);
        var encoder = new ChatExampleEncoder(renderer);
        var train = LoadData(DataPath, encoder, options.RowTokens);
        IReadOnlyList<TrainingExample> validation;
        if (ValidationPath is not null) validation = LoadData(ValidationPath, encoder, options.RowTokens);
        else (train, validation) = TrainingPlan.Split(train, ValidationFraction, options.Seed);

        var identity = $"{Path.GetFileName(ModelPath)} ({new FileInfo(ModelPath).Length} bytes)";
        var trainer = new LoraTrainer(lm.Parameters, lm.Weights, identity, lora, options, train, validation);
        ConsoleProgress.WriteLine(
            $"model {Path.GetFileName(ModelPath)}: {lm.Parameters.LayerCount} layers, {lm.Parameters.EmbeddingSize} wide; adapter {lora}, {trainer.Adapter.ParameterCount:N0} parameters");
        ConsoleProgress.WriteLine(
            $"data: {train.Count} training / {validation.Count} validation conversations, {trainer.Plan.Steps.Count} optimizer steps over {options.Epochs} epochs");
        if (File.Exists(CheckpointPath))
        {
            if (!Resume) throw new CliUsageException($"checkpoint '{CheckpointPath}' exists: pass --resume to continue that run, or delete it to start over");
            trainer.LoadCheckpoint(CheckpointPath);
            ConsoleProgress.WriteLine($"resumed from '{CheckpointPath}' at step {trainer.CompletedSteps}/{trainer.Plan.Steps.Count}");
        }

        var before = Samples.Select(s => Sample(BaseModel(lm, lora, options), lm, renderer, s)).ToArray();
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        bool complete;
        try
        {
            complete = FinetuneProgress.Show(trainer, CheckpointPath, cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (!complete)
        {
            ConsoleProgress.WriteLine(
                $"interrupted after step {trainer.CompletedSteps}/{trainer.Plan.Steps.Count}; checkpoint saved to '{CheckpointPath}'. Run the same command with --resume to continue.");
            return InterruptedExitCode;
        }

        LoraGgufExporter.Write(OutputPath, trainer.Adapter, lm.Parameters.Architecture, OutputType);
        AtomicFile.Write(LossSvgPath, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(LossCurveSvg.Render(trainer.History, $"LoRA fine-tuning of {Path.GetFileName(ModelPath)}"));
        });
        Summarize(trainer, lm, renderer, before);
        return 0;
    }

    private IReadOnlyList<TrainingExample> LoadData(string path, ChatExampleEncoder encoder, int rowTokens)
    {
        var dataset = ChatDataset.Load(path, encoder, rowTokens, BadLines);
        foreach (var skipped in dataset.Skipped) Console.Error.WriteLine($"warning: skipped {skipped.Message}");
        if (dataset.Skipped.Count > 0)
            Console.Error.WriteLine($"warning: skipped {dataset.Skipped.Count} bad line(s) of '{path}' (--on-bad-line skip)");
        return dataset.Examples;
    }

    private static LoraTrainingModel BaseModel(LanguageModel lm, LoraSettings lora, TrainingOptions options) =>
        new(lm.Parameters, lm.Weights, LoraAdapter.Create(lm.Parameters, lora, options.Seed), options.RowTokens, options.Threads);

    private string Sample(LoraTrainingModel model, LanguageModel lm, ChatPromptRenderer renderer, string userMessage)
    {
        var prompt = renderer.RenderTokens(new JsonArray(new JsonObject { ["role"] = "user", ["content"] = userMessage }), addGenerationPrompt: true);
        return GreedySampler.Complete(model, lm.Tokenizer, prompt, SampleTokens, TurnEnd(renderer));
    }

    /// <summary>
    /// What the template writes after an assistant reply, to stop samples there: ChatML's <c>&lt;|im_end|&gt;</c> (surrounding
    /// whitespace trimmed), or the whitespace itself when that is all there is (a newline-terminated format).
    /// </summary>
    private static string? TurnEnd(ChatPromptRenderer renderer)
    {
        const char Marker = '\u0001';
        var closed = renderer.Render(new JsonArray(new JsonObject { ["role"] = "assistant", ["content"] = Marker.ToString() }), addGenerationPrompt: false);
        var end = closed[(closed.IndexOf(Marker, StringComparison.Ordinal) + 1)..];
        return end.Trim().Length > 0 ? end.Trim() : end.Length > 0 ? end : null;
    }

    private void Summarize(LoraTrainer trainer, LanguageModel lm, ChatPromptRenderer renderer, string[] before)
    {
        var history = trainer.History;
        if (history.Validation.Count > 0)
        {
            var first = history.Validation[0];
            var last = history.Validation[^1];
            ConsoleProgress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"validation loss {first.Loss:F4} (ppl {first.Perplexity:F2}) before -> {last.Loss:F4} (ppl {last.Perplexity:F2}) after"));
        }
        ConsoleProgress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {history.Tokens:N0} tokens in {history.Seconds:F1} s ({history.TokensPerSecond:F0} tokens/s)"));
        ConsoleProgress.WriteLine($"adapter written to '{OutputPath}' ({OutputType}); loss curve '{LossSvgPath}'; checkpoint '{CheckpointPath}'");
        for (var i = 0; i < Samples.Count; i++)
        {
            var after = Sample(trainer.Model, lm, renderer, Samples[i]);
            ConsoleProgress.WriteLine($"sample: {Samples[i]}\n  before: {Show(before[i])}\n  after:  {Show(after)}");
        }
    }

    private static string Show(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal);
}
