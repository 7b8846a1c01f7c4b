namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// One step of a <see cref="SamplerChain"/>: transforms the candidate list in place (edits logits, truncates,
/// reorders). Stages that depend on the token history (penalties) also observe accepted tokens.
/// </summary>
public interface ISamplerStage
{
    /// <summary>A short name for diagnostics, llama.cpp-style ("top-k", "min-p", ...).</summary>
    string Name { get; }

    void Apply(CandidateList candidates);

    /// <summary>Observes a token that became part of the sequence (prompt or generated).</summary>
    void Accept(int token) { }

    /// <summary>Forgets all history.</summary>
    void Reset() { }
}
