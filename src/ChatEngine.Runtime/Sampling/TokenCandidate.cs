using System.Runtime.InteropServices;

namespace ChatEngine.Runtime.Sampling;

/// <summary>One entry of the candidate list: a token id, its (possibly modified) logit and its probability.</summary>
/// <remarks><see cref="Probability"/> is only meaningful after a stage computed a softmax over the current candidates.</remarks>
[StructLayout(LayoutKind.Sequential)]
public struct TokenCandidate(int id, float logit, float probability)
{
    public int Id = id;
    public float Logit = logit;
    public float Probability = probability;

    public override readonly string ToString() => $"{Id}: logit {Logit}, p {Probability}";
}
