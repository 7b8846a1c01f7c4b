using System.Diagnostics;
using ChatEngine.Runtime.Model;
using ChatEngine.Text;

namespace ChatEngine.Runtime.Generation;

/// <summary>
/// Generates one completion in an <see cref="InferenceContext"/>: prefill the prompt, then let a
/// <see cref="SequenceSampler"/> pick, detokenize and check stop conditions token by token. The end-of-generation
/// token itself is not part of the text.
/// </summary>
public sealed class TextGenerator(InferenceContext context, Tokenizer tokenizer)
{
    /// <summary>Timings of the last finished <see cref="Generate"/>.</summary>
    public GenerationTimings? Timings { get; private set; }

    public IEnumerable<GeneratedToken> Generate(IReadOnlyList<int> prompt, GenerationOptions options, CancellationToken cancellation = default)
    {
        if (prompt.Count == 0) throw new ArgumentException("the prompt has no tokens", nameof(prompt));
        var needed = context.Position + prompt.Count + options.MaxTokens;
        if (needed > context.ContextSize) throw new ContextOverflowException(needed, context.ContextSize);
        return Run(prompt.ToArray(), options, cancellation);
    }

    private IEnumerable<GeneratedToken> Run(int[] prompt, GenerationOptions options, CancellationToken cancellation)
    {
        Timings = null;
        var sampler = new SequenceSampler(options, tokenizer);
        sampler.AcceptPrompt(prompt);

        context.Adapters = options.Adapters;
        var watch = Stopwatch.StartNew();
        context.Evaluate(prompt);
        var prefillTime = watch.Elapsed;
        watch.Restart();
        var generated = 0;
        var next = new int[1];
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var token = sampler.Next(context.Logits);
            generated++;
            if (token.FinishReason is not null)
            {
                Timings = new GenerationTimings(prompt.Length, prefillTime, generated, watch.Elapsed);
                yield return token;
                yield break;
            }
            yield return token;
            next[0] = token.Id;
            context.Evaluate(next);
        }
    }
}
