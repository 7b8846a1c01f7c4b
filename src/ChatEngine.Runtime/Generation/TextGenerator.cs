using System.Diagnostics;
using ChatEngine.Runtime.Model;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Text;
using ChatEngine.Text.Detokenizer;

namespace ChatEngine.Runtime.Generation;

/// <summary>
/// Generates one completion in an <see cref="InferenceContext"/>: prefill the prompt, then sample, detokenize and
/// check stop conditions token by token. The end-of-generation token itself is not part of the text.
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
        var sampler = new SamplerChain(options.Sampling, context.Model.Parameters.VocabSize);
        sampler.AcceptPrompt(prompt);
        var detokenizer = new StreamingDetokenizer(tokenizer, options.StopSequences);

        context.Adapters = options.Adapters;
        var watch = Stopwatch.StartNew();
        context.Evaluate(prompt);
        var prefillTime = watch.Elapsed;
        watch.Restart();
        var generated = 0;
        var next = new int[1];
        for (var step = 0; ; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var id = sampler.SampleAndAccept(context.Logits);
            generated++;
            if (tokenizer.IsEndOfGeneration(id) && !options.IgnoreEndOfGeneration)
            {
                Timings = new GenerationTimings(prompt.Length, prefillTime, generated, watch.Elapsed);
                yield return new GeneratedToken(id, detokenizer.Flush(), FinishReason.Stop);
                yield break;
            }
            var (text, stopped) = detokenizer.Push(id);
            var last = stopped || step + 1 == options.MaxTokens;
            if (last)
            {
                Timings = new GenerationTimings(prompt.Length, prefillTime, generated, watch.Elapsed);
                yield return new GeneratedToken(id, stopped ? text : text + detokenizer.Flush(), stopped ? FinishReason.Stop : FinishReason.Length);
                yield break;
            }
            yield return new GeneratedToken(id, text, null);
            next[0] = id;
            context.Evaluate(next);
        }
    }
}
