using System.CommandLine;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Lora;

namespace ChatEngine.Cli.Commands;

/// <summary><c>lora merge -m BASE --lora FILE[:SCALE]... -o OUT.gguf [--type base|f32|f16]</c>: folds adapters into a model file.</summary>
internal static class LoraCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var lora = LoraOption.Create(required: true);
        var output = new Option<FileInfo>("--output", "-o") { Description = "merged GGUF to write", Required = true };
        var type = new Option<MergedTensorType>("--type")
        {
            Description = "type of the merged tensors: base (re-quantize to the base tensor's type), f32 or f16",
            DefaultValueFactory = _ => MergedTensorType.Base,
        };
        var merge = new Command("merge", "write a copy of the base model with LoRA adapters merged into its weights") { model, lora, output, type };
        merge.SetAction(parse =>
        {
            var basePath = parse.GetValue(model)!.FullName;
            var outputPath = parse.GetValue(output)!.FullName;
            if (outputPath == basePath) throw new CliUsageException("the output file must not be the base model");
            using var lm = LanguageModel.Load(basePath, threads: 1);
            using var adapters = LoraOption.Load(parse, lora, lm);
            LoraMerger.Merge(basePath, adapters.Adapters, outputPath, parse.GetValue(type));
            Console.Error.WriteLine($"merged {string.Join(", ", adapters.Adapters.Select(a => $"{a.Adapter.Name} x{a.Scale}"))} into {outputPath}");
            return 0;
        });
        return new Command("lora", "LoRA adapter tools") { merge };
    }
}
