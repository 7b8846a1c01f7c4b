using System.CommandLine;
using System.Text;
using System.Text.Json;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;

namespace ChatEngine.Cli.Commands;

/// <summary><c>generate -m MODEL -p PROMPT -n N</c>: streams a completion to stdout.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var prompt = new Option<string>("--prompt", "-p") { Description = "prompt text (empty: start from BOS only)", DefaultValueFactory = _ => "" };
        var count = CommonOptions.Positive("--n-predict", "-n", "tokens to generate at most", 128);
        var sampler = new SamplingOptionSet();
        var context = new Option<int?>("--ctx-size", "-c") { Description = "context tokens (default: prompt + n)" };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var lora = LoraOption.Create();
        var command = new Command("generate", "generate text from a prompt")
        {
            model, prompt, count, context, threads, json, lora,
        };
        sampler.AddTo(command);
        var cacheTypes = new CacheTypeOptions();
        cacheTypes.AddTo(command);
        command.SetAction(parse =>
        {
            var sampling = sampler.From(parse);
            using var lm = LanguageModel.Load(parse.GetValue(model)!.FullName, parse.GetValue(threads));
            cacheTypes.ApplyTo(parse, lm);
            using var adapters = LoraOption.Load(parse, lora, lm);
            var options = new GenerationOptions { MaxTokens = parse.GetValue(count), Sampling = sampling, Adapters = adapters.Selection };
            var text = parse.GetValue(prompt)!;
            var promptIds = lm.Tokenizer.Encode(text, addSpecial: true);
            if (promptIds.Length == 0) promptIds = [lm.Tokenizer.BosTokenId >= 0 ? lm.Tokenizer.BosTokenId : 0];
            var contextSize = parse.GetValue(context) ?? promptIds.Length + options.MaxTokens;
            var generator = new TextGenerator(lm.CreateContext(contextSize), lm.Tokenizer);
            var asJson = parse.GetValue(json);
            var ids = new List<int>();
            var output = new StringBuilder();
            using var stdout = Console.OpenStandardOutput();
            if (!asJson) stdout.Write(Encoding.UTF8.GetBytes(text));
            foreach (var token in generator.Generate(promptIds, options))
            {
                ids.Add(token.Id);
                output.Append(token.Text);
                if (!asJson && token.Text.Length > 0)
                {
                    stdout.Write(Encoding.UTF8.GetBytes(token.Text));
                    stdout.Flush();
                }
            }
            var timings = generator.Timings!;
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    prompt_tokens = promptIds,
                    tokens = ids,
                    text = output.ToString(),
                    timings = new
                    {
                        prefill_tokens = timings.PromptTokens,
                        prefill_tokens_per_second = timings.PrefillTokensPerSecond,
                        decode_tokens = timings.GeneratedTokens,
                        decode_tokens_per_second = timings.DecodeTokensPerSecond,
                    },
                }));
            }
            else
            {
                Console.WriteLine();
                Console.Error.WriteLine($"prefill: {timings.PromptTokens} tokens, {timings.PrefillTokensPerSecond:F1} t/s; decode: {timings.GeneratedTokens} tokens, {timings.DecodeTokensPerSecond:F1} t/s");
            }
            return 0;
        });
        return command;
    }
}
