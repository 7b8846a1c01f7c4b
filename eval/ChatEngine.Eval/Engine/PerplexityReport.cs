using ChatEngine.Runtime;

namespace ChatEngine.Eval.Engine;

/// <summary>Perplexity of the model on a text file (llama-perplexity's method), as written in the result file.</summary>
public sealed record PerplexityReport(string File, int ContextSize, double Perplexity, int Tokens, int Chunks)
{
    public static PerplexityReport Measure(LanguageModel model, string textFile, int contextSize)
    {
        if (!System.IO.File.Exists(textFile)) throw new FileNotFoundException($"perplexity text file '{textFile}' does not exist", textFile);
        var tokens = model.Tokenizer.Encode(System.IO.File.ReadAllText(textFile), addSpecial: true);
        var result = PerplexityEvaluator.Evaluate(model, tokens, contextSize, model.Tokenizer.AddBos ? model.Tokenizer.BosTokenId : null);
        return new PerplexityReport(Path.GetFileName(textFile), contextSize, result.Perplexity, result.Tokens, result.Chunks);
    }
}
