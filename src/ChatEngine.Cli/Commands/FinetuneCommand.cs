using System.CommandLine;
using ChatEngine.Gguf;
using ChatEngine.Training;
using ChatEngine.Training.Data;
using ChatEngine.Training.Lora;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>finetune -m MODEL --data chats.jsonl -o adapter.gguf</c>: trains a LoRA adapter on JSONL chats and exports it in
/// llama.cpp's adapter format, with a resumable checkpoint, a progress bar and an SVG loss curve.
/// </summary>
internal static class FinetuneCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = new Option<FileInfo>("--data", "-d") { Description = "training chats: JSONL, one {\"messages\": [...]} per line", Required = true };
        var validationData = new Option<FileInfo?>("--val-data") { Description = "validation chats (default: a held-out --val-fraction of --data)" };
        var validationFraction = new Option<double>("--val-fraction") { Description = "share of --data held out for validation", DefaultValueFactory = _ => 0.1 };
        var template = new Option<FileInfo?>("--chat-template") { Description = "Jinja chat template file to render the chats with instead of the model's" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "adapter GGUF to write", Required = true };
        var outType = new Option<string>("--out-type") { Description = "adapter tensor type: f32 or f16", DefaultValueFactory = _ => "f32" };
        outType.AcceptOnlyFromAmong("f32", "f16");
        var rank = CommonOptions.Positive("--rank", "-r", "LoRA rank", 8);
        var alpha = new Option<float>("--alpha") { Description = "LoRA alpha (scale = alpha / rank)", DefaultValueFactory = _ => 16 };
        var dropout = new Option<float>("--dropout") { Description = "dropout on the LoRA input, in [0, 1)", DefaultValueFactory = _ => 0 };
        var targets = new Option<string>("--targets") { Description = "projections to adapt, any of q,k,v,o,gate,up,down", DefaultValueFactory = _ => "q,k,v,o,gate,up,down" };
        var epochs = CommonOptions.Positive("--epochs", "-e", "passes over the training data", 3);
        var learningRate = new Option<float>("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => 1e-3f };
        var warmup = new Option<int>("--warmup") { Description = "linear warm-up steps before the cosine decay", DefaultValueFactory = _ => 10 };
        var minRatio = new Option<float>("--min-lr-ratio") { Description = "final learning rate as a share of --lr", DefaultValueFactory = _ => 0.1f };
        var weightDecay = new Option<float>("--weight-decay") { Description = "AdamW decoupled weight decay", DefaultValueFactory = _ => 0.01f };
        var clip = new Option<float>("--clip") { Description = "maximum global gradient norm (0 = no clipping)", DefaultValueFactory = _ => 1 };
        var accumulation = CommonOptions.Positive("--grad-accum", "-a", "packed rows per optimizer step", 4);
        var context = CommonOptions.Positive("--ctx-size", "-c", "tokens per packed training row; longer chats are bad lines", 256);
        var seed = new Option<int>("--seed", "-s") { Description = "seed of initialization, shuffling, split and dropout", DefaultValueFactory = _ => 42 };
        var threads = CommonOptions.Threads();
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "checkpoint file (default: OUTPUT.ckpt)" };
        var saveEvery = CommonOptions.Positive("--save-every", null, "optimizer steps between checkpoints (also at epoch ends and on Ctrl+C)", 20);
        var resume = new Option<bool>("--resume") { Description = "continue from the checkpoint if it exists" };
        var badLines = new Option<string>("--on-bad-line") { Description = "malformed JSONL line: fail (stop with its line number) or skip (warn per line and go on)", DefaultValueFactory = _ => "fail" };
        badLines.AcceptOnlyFromAmong("fail", "skip");
        var lossSvg = new Option<FileInfo?>("--loss-svg") { Description = "loss curve to write (default: OUTPUT.loss.svg)" };
        var samples = new Option<string[]>("--sample") { Description = "user message to answer greedily before and after training (repeatable)", AllowMultipleArgumentsPerToken = false };
        var sampleTokens = CommonOptions.Positive("--sample-tokens", null, "tokens per sample answer at most", 48);
        var command = new Command("finetune", "train a LoRA adapter on chat data and export it as a llama.cpp adapter GGUF")
        {
            model, data, validationData, validationFraction, template, output, outType, rank, alpha, dropout, targets, epochs, learningRate, warmup,
            minRatio, weightDecay, clip, accumulation, context, seed, threads, checkpoint, saveEvery, resume, badLines, lossSvg, samples, sampleTokens,
        };
        command.SetAction(parse =>
        {
            var outputPath = parse.GetValue(output)!.FullName;
            var options = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs),
                LearningRate = parse.GetValue(learningRate),
                WarmupSteps = parse.GetValue(warmup),
                MinLearningRateRatio = parse.GetValue(minRatio),
                WeightDecay = parse.GetValue(weightDecay),
                MaxGradientNorm = parse.GetValue(clip),
                GradientAccumulation = parse.GetValue(accumulation),
                RowTokens = parse.GetValue(context),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                CheckpointEvery = parse.GetValue(saveEvery),
            };
            var lora = new LoraSettings(parse.GetValue(rank), parse.GetValue(alpha), parse.GetValue(dropout), LoraTargets.Parse(parse.GetValue(targets)!));
            var run = new FinetuneRun(
                parse.GetValue(model)!.FullName,
                parse.GetValue(data)!.FullName,
                parse.GetValue(validationData)?.FullName,
                parse.GetValue(validationFraction),
                parse.GetValue(template)?.FullName,
                outputPath,
                parse.GetValue(outType) == "f16" ? GgmlType.F16 : GgmlType.F32,
                parse.GetValue(checkpoint)?.FullName ?? outputPath + ".ckpt",
                parse.GetValue(resume),
                parse.GetValue(badLines) == "skip" ? BadLinePolicy.Skip : BadLinePolicy.Fail,
                parse.GetValue(lossSvg)?.FullName ?? Path.ChangeExtension(outputPath, ".loss.svg"),
                parse.GetValue(samples) ?? [],
                parse.GetValue(sampleTokens));
            return run.Execute(lora, options);
        });
        return command;
    }
}
