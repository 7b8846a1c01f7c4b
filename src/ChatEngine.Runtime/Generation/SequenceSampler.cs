using ChatEngine.Runtime.Constraints;
using ChatEngine.Runtime.Sampling;
using ChatEngine.Text;
using ChatEngine.Text.Detokenizer;

namespace ChatEngine.Runtime.Generation;

/// <summary>
/// Everything one sequence needs to turn next-token logits into a <see cref="GeneratedToken"/>: the sampler chain
/// (with the output-grammar mask in front when <see cref="GenerationOptions.OutputGrammar"/> is set), log-probabilities,
/// the streaming detokenizer and the stop rules (end-of-generation token, stop sequence, completed grammar, token
/// limit). <see cref="TextGenerator"/> and the server's scheduler both drive generation through it. Not thread-safe.
/// </summary>
public sealed class SequenceSampler
{
    private readonly GenerationOptions _options;
    private readonly Tokenizer _tokenizer;
    private readonly SamplerChain _chain;
    private readonly JsonConstraintStage? _constraint;
    private readonly StreamingDetokenizer _detokenizer;
    private int _generated;

    public SequenceSampler(GenerationOptions options, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _options = options;
        _tokenizer = tokenizer;
        _constraint = options.OutputGrammar is { } grammar ? new JsonConstraintStage(grammar, TokenTrie.For(tokenizer)) : null;
        _chain = new SamplerChain(options.Sampling, tokenizer.VocabSize, _constraint);
        _detokenizer = new StreamingDetokenizer(tokenizer, options.StopSequences);
    }

    /// <summary>The seed of the random draw (see <see cref="SamplerChain.Seed"/>).</summary>
    public ulong? Seed => _chain.Seed;

    /// <summary>Feeds the prompt to the history-aware sampler stages (penalties), as llama.cpp does.</summary>
    public void AcceptPrompt(ReadOnlySpan<int> prompt) => _chain.AcceptPrompt(prompt);

    /// <summary>Samples the next token from <paramref name="logits"/>; the result has a finish reason when it is the last.</summary>
    public GeneratedToken Next(ReadOnlySpan<float> logits)
    {
        if (_constraint is not null) _constraint.TokensLeft = _options.MaxTokens - _generated;
        var id = _chain.SampleAndAccept(logits);
        _generated++;
        if (_tokenizer.IsEndOfGeneration(id) && !_options.IgnoreEndOfGeneration)
            return new GeneratedToken(id, _detokenizer.Flush(), FinishReason.Stop);
        var logProbabilities = _options.LogProbabilities is { } top ? TokenLogProbabilities.Compute(logits, id, top) : null;
        _constraint?.Advance(id);
        var (text, stopped) = _detokenizer.Push(id);
        if (stopped) return new GeneratedToken(id, text, FinishReason.Stop, logProbabilities);
        if (_constraint?.IsFinished == true) return new GeneratedToken(id, text + _detokenizer.Flush(), FinishReason.Stop, logProbabilities);
        if (_generated == _options.MaxTokens) return new GeneratedToken(id, text + _detokenizer.Flush(), FinishReason.Length, logProbabilities);
        return new GeneratedToken(id, text, null, logProbabilities);
    }
}
