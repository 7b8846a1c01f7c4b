using Xunit;
using System.Text;
using System.Text.Json.Nodes;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Generation;
using ChatEngine.Runtime.Sampling;

namespace ChatEngine.Server.Tests;

/// <summary>
/// What the runtime itself produces for a prompt, computed in-process with <see cref="TextGenerator"/> on its own
/// copy of the model, so server output is compared with the engine and not with a pasted string.
/// </summary>
public static class Reference
{
    private static readonly Lazy<LanguageModel> LazyModel = new(() => LanguageModel.Load(TestServer.ModelPath, threads: 1));
    private static readonly Lock Gate = new();

    public static LanguageModel Model => LazyModel.Value;

    public sealed record Completion(string Text, int PromptTokens, int CompletionTokens, FinishReason Finish);

    /// <summary>The chat prompt as the server must build it: rendered with the model's template, special tokens parsed,
    /// BOS added by the tokenizer only when the rendered text does not already start with it.</summary>
    public static int[] ChatPrompt(params (string Role, string Content)[] messages)
    {
        var array = new JsonArray();
        foreach (var (role, content) in messages) array.Add(new JsonObject { ["role"] = role, ["content"] = content });
        var rendered = ChatPromptRenderer.ForModel(Model).Render(array, addGenerationPrompt: true);
        var tokenizer = Model.Tokenizer;
        var hasBos = tokenizer.BosTokenId >= 0 && rendered.StartsWith(tokenizer.TokenText(tokenizer.BosTokenId), StringComparison.Ordinal);
        return tokenizer.Encode(rendered, addSpecial: !hasBos, parseSpecial: true);
    }

    public static int[] TextPrompt(string text) => Model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: false);

    public static Completion Greedy(int[] prompt, int maxTokens, IReadOnlyList<string>? stop = null)
    {
        lock (Gate)
        {
            var generator = new TextGenerator(Model.CreateContext(prompt.Length + maxTokens), Model.Tokenizer);
            var options = new GenerationOptions { MaxTokens = maxTokens, Sampling = SamplingOptions.Greedy, StopSequences = stop ?? [] };
            var text = new StringBuilder();
            var count = 0;
            var finish = FinishReason.Length;
            foreach (var token in generator.Generate(prompt, options))
            {
                count++;
                text.Append(token.Text);
                if (token.FinishReason is { } reason) finish = reason;
            }
            return new Completion(text.ToString(), prompt.Length, count, finish);
        }
    }

    /// <summary>The greedy tokens of <paramref name="prompt"/> with the raw logits each was chosen from (the
    /// end-of-generation token, when reached, is not included).</summary>
    public static List<(int Id, float[] Logits)> GreedySteps(int[] prompt, int maxTokens)
    {
        lock (Gate)
        {
            var context = Model.CreateContext(prompt.Length + maxTokens);
            var logits = context.Evaluate(prompt).ToArray();
            var steps = new List<(int, float[])>();
            for (var i = 0; i < maxTokens; i++)
            {
                var id = Array.IndexOf(logits, logits.Max());
                if (Model.Tokenizer.IsEndOfGeneration(id)) break;
                steps.Add((id, logits));
                logits = context.Evaluate([id]).ToArray();
            }
            return steps;
        }
    }

    /// <summary>The next-token logits after every prompt position (tokens x vocab).</summary>
    public static float[] AllLogits(int[] prompt)
    {
        lock (Gate)
        {
            var logits = new float[prompt.Length * Model.Parameters.VocabSize];
            Model.CreateContext(prompt.Length).EvaluateAll(prompt, logits);
            return logits;
        }
    }

    /// <summary>log softmax(logits)[id], computed here in double precision.</summary>
    public static double LogSoftmax(float[] logits, int id)
    {
        double max = logits.Max();
        return logits[id] - max - Math.Log(logits.Sum(l => Math.Exp(l - max)));
    }
}
