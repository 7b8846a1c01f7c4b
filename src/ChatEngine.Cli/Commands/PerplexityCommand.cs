using System.CommandLine;
using System.Text.Json;
using ChatEngine.Runtime;

namespace ChatEngine.Cli.Commands;

/// <summary><c>perplexity -m MODEL -f TEXT -c CTX</c>: llama-perplexity's estimate over a text file.</summary>
internal static class PerplexityCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var file = new Option<FileInfo>("--file", "-f") { Description = "text file to score", Required = true };
        var context = CommonOptions.Positive("--ctx-size", "-c", "tokens per chunk", 512);
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var lora = LoraOption.Create();
        var command = new Command("perplexity", "perplexity of a model on a text file, computed as llama-perplexity does")
        {
            model, file, context, threads, json, lora,
        };
        var cacheTypes = new CacheTypeOptions();
        cacheTypes.AddTo(command);
        command.SetAction(parse =>
        {
            var textFile = parse.GetValue(file)!;
            if (!textFile.Exists) throw new FileNotFoundException($"text file '{textFile.FullName}' does not exist");
            using var lm = LanguageModel.Load(parse.GetValue(model)!.FullName, parse.GetValue(threads));
            cacheTypes.ApplyTo(parse, lm);
            using var adapters = LoraOption.Load(parse, lora, lm);
            var tokens = lm.Tokenizer.Encode(File.ReadAllText(textFile.FullName), addSpecial: true);
            var asJson = parse.GetValue(json);
            Action<int, int, double>? progress = asJson
                ? null
                : (chunk, chunks, running) => Console.Error.Write($"\r[{chunk}/{chunks}] running estimate {running:F4}   ");
            var result = PerplexityEvaluator.Evaluate(lm, tokens, parse.GetValue(context),
                lm.Tokenizer.AddBos ? lm.Tokenizer.BosTokenId : null, progress, adapters.Selection);
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { perplexity = result.Perplexity, tokens = result.Tokens, chunks = result.Chunks }));
            }
            else
            {
                Console.Error.WriteLine();
                Console.WriteLine($"Final estimate: PPL = {result.Perplexity:F4} ({result.Chunks} chunks of {parse.GetValue(context)} tokens, {result.Tokens} tokens)");
            }
            return 0;
        });
        return command;
    }
}
