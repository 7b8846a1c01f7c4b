using ChatEngine.Kernels;

namespace ChatEngine.Runtime.Lora;

/// <summary>One adapter with the scale it is applied at (1 = as trained).</summary>
public sealed record ScaledLoraAdapter(LoraAdapter Adapter, float Scale);

/// <summary>
/// The adapters one evaluation applies, each at its own scale: immutable, so one selection can be shared by any
/// number of sequences, and switching adapters is assigning another selection (<see cref="InferenceContext.Adapters"/>).
/// Adapters at scale 0 are left out: they change nothing.
/// </summary>
public sealed unsafe class LoraSelection
{
    /// <summary>One low-rank term to add to a projection: the pair and its final factor (scale * alpha / rank).</summary>
    public readonly record struct Term(LoraWeight Weight, float Factor);

    public static readonly LoraSelection None = new([]);

    private readonly Dictionary<nint, Term[]> _byBaseMatrix = [];

    public LoraSelection(IEnumerable<ScaledLoraAdapter> adapters)
    {
        Adapters = adapters.ToArray();
        var embedding = new List<Term>();
        var terms = new Dictionary<nint, List<Term>>();
        foreach (var (adapter, scale) in Adapters)
        {
            if (!float.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(adapters), scale, $"the scale of LoRA adapter '{adapter.Path}' must be finite");
            if (scale == 0) continue;
            foreach (var weight in adapter.Weights)
            {
                var term = new Term(weight, weight.Factor(adapter.Alpha, scale));
                if (weight.IsEmbedding) embedding.Add(term);
                else
                {
                    // A projection is identified by its weights' address: the transformer passes the matrix it multiplies.
                    var key = (nint)weight.Base.Data;
                    if (!terms.TryGetValue(key, out var list)) terms[key] = list = [];
                    list.Add(term);
                }
            }
        }
        foreach (var (key, list) in terms) _byBaseMatrix[key] = [.. list];
        EmbeddingTerms = [.. embedding];
    }

    public IReadOnlyList<ScaledLoraAdapter> Adapters { get; }

    /// <summary>True when evaluating with this selection is evaluating the base model.</summary>
    public bool IsEmpty => _byBaseMatrix.Count == 0 && EmbeddingTerms.Length == 0;

    /// <summary>Terms for <c>token_embd.weight</c>, added to the looked-up embeddings.</summary>
    public Term[] EmbeddingTerms { get; }

    /// <summary>The terms to add to the product with <paramref name="baseMatrix"/> (empty when no adapter touches it).</summary>
    public ReadOnlySpan<Term> TermsFor(in WeightMatrix baseMatrix) =>
        _byBaseMatrix.TryGetValue((nint)baseMatrix.Data, out var terms) ? terms : [];

    public override string ToString() => IsEmpty ? "no adapters" : string.Join(", ", Adapters.Select(a => $"{a.Adapter.Name}:{a.Scale}"));
}
