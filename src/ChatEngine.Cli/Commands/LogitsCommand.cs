using System.CommandLine;
using System.Text.Json;
using ChatEngine.Runtime;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>logits -m MODEL -p PROMPT -n N --top K --json</c>: generates greedily and prints, for every step, the top-K
/// token ids with their softmax probabilities over the raw logits, in the shape of ../shared/golden's next-token files.
/// </summary>
internal static class LogitsCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var prompt = new Option<string>("--prompt", "-p") { Description = "prompt text", Required = true };
        var steps = CommonOptions.Positive("--n-predict", "-n", "greedy steps to report", 32);
        var top = CommonOptions.Positive("--top", "-k", "candidates to report per step", 10);
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var lora = LoraOption.Create();
        var command = new Command("logits", "top-k next-token probabilities along a greedy generation") { model, prompt, steps, top, threads, json, lora };
        command.SetAction(parse =>
        {
            using var lm = LanguageModel.Load(parse.GetValue(model)!.FullName, parse.GetValue(threads));
            using var adapters = LoraOption.Load(parse, lora, lm);
            var promptIds = lm.Tokenizer.Encode(parse.GetValue(prompt)!, addSpecial: true).ToArray();
            var n = parse.GetValue(steps);
            var k = Math.Min(parse.GetValue(top), lm.Parameters.VocabSize);
            var context = lm.CreateContext(promptIds.Length + n);
            context.Adapters = adapters.Selection;
            var logits = context.Evaluate(promptIds);
            var reported = new List<Step>();
            var generated = new List<int>();
            for (var step = 0; step < n; step++)
            {
                var candidates = TopProbabilities.Compute(logits, k);
                var id = candidates[0].Id;
                reported.Add(new Step(id, lm.Tokenizer.TokenText(id),
                    candidates.Select(c => new Candidate(c.Id, c.Probability, Math.Log(c.Probability))).ToArray()));
                generated.Add(id);
                if (lm.Tokenizer.IsEndOfGeneration(id)) break;
                logits = context.Evaluate([id]);
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { prompt_ids = promptIds, generated_ids = generated, steps = reported }));
            }
            else
            {
                foreach (var s in reported) Console.WriteLine($"{s.id,6} {s.top[0].prob:F6} {s.piece}");
            }
            return 0;
        });
        return command;
    }

    // Lower-case members: they are the JSON field names of the golden next-token files.
    private sealed record Candidate(int id, double prob, double logprob);

    private sealed record Step(int id, string piece, Candidate[] top);
}
