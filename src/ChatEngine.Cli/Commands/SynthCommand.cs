using System.CommandLine;
using ChatEngine.Gguf;
using ChatEngine.Runtime.Synthesis;

namespace ChatEngine.Cli.Commands;

/// <summary><c>synth --shape NAME --type TYPE -o FILE</c>: a random-weight GGUF with a real model's shapes.</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var shape = new Option<string>("--shape") { Description = $"one of: {string.Join(", ", ModelShape.Known.Select(s => s.Name))}", Required = true };
        var type = new Option<GgmlType>("--type") { Description = "tensor type of every 2-D tensor (F32, F16, BF16, Q8_0, Q4_0, Q4_K ...)", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "file to write", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "random seed", DefaultValueFactory = _ => 1 };
        var command = new Command("synth", "write a random-weight GGUF with the exact shapes of a real model") { shape, type, output, seed };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!.FullName;
            var progress = new PercentProgress();
            SyntheticModelWriter.Write(path, ModelShape.Find(parse.GetValue(shape)!), parse.GetValue(type), parse.GetValue(seed), progress.Report);
            progress.Finish();
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length / (1024.0 * 1024.0):F1} MiB)");
            return 0;
        });
        return command;
    }
}
