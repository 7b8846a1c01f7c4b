namespace ChatEngine.Runtime.Sampling;

/// <summary>The last step of a <see cref="SamplerChain"/>: picks one candidate and leaves the list holding the
/// candidates it chose from, with their final probabilities.</summary>
public interface ITokenSelector
{
    string Name { get; }

    /// <summary>Returns the index (into <see cref="CandidateList.Items"/>) of the chosen candidate.</summary>
    int Select(CandidateList candidates);

    /// <summary>Restarts any random stream from its seed.</summary>
    void Reset() { }
}
