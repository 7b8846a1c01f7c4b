using System.CommandLine;
using ChatEngine.Runtime.Quantization;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>quantize IN OUT TYPE [--pure] [--force]</c>: writes an F32/F16/BF16 GGUF as TYPE the way llama-quantize does
/// (its K-quant mixes unless <c>--pure</c>), with progress on stderr.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "F32, F16 or BF16 GGUF model" };
        var output = new Argument<FileInfo>("output") { Description = "GGUF file to write" };
        var type = new Argument<string>("type") { Description = $"one of: {TypeNames}" };
        var pure = new Option<bool>("--pure") { Description = "give every weight matrix TYPE (no K-quant mix for the output, attention values and feed-forward down projections)" };
        var force = new Option<bool>("--force", "-f") { Description = "overwrite OUTPUT if it exists" };
        var command = new Command("quantize", "quantize a GGUF model as llama.cpp's llama-quantize does") { input, output, type, pure, force };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(type)!;
            if (!QuantizationType.TryFind(name, out var target))
                throw new CliUsageException($"unknown quantization type '{name}'; known types: {TypeNames}");
            var source = parse.GetValue(input)!.FullName;
            var destination = parse.GetValue(output)!.FullName;
            var overwrite = parse.GetValue(force);
            if (!overwrite && File.Exists(destination)) throw new CliUsageException($"{destination} already exists; pass --force to overwrite it");
            var progress = new PercentProgress();
            var result = ModelQuantizer.Quantize(source, destination, target, parse.GetValue(pure), overwrite, progress.Report);
            progress.Finish();
            var types = string.Join(", ", result.TensorTypes.OrderByDescending(t => t.Value).Select(t => $"{t.Value} {t.Key}"));
            Console.WriteLine($"wrote {destination} as {target} ({types}; {Mib(result.InputBytes)} -> {Mib(result.OutputBytes)} MiB)");
            return 0;
        });
        return command;
    }

    private static string TypeNames => string.Join(", ", QuantizationType.All.Select(t => t.Name));

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
}
