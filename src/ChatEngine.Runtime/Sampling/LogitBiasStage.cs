namespace ChatEngine.Runtime.Sampling;

/// <summary>Adds a fixed bias to the logits of chosen tokens; a bias of -infinity bans the token.</summary>
public sealed class LogitBiasStage : ISamplerStage
{
    private readonly int[] _tokens;
    private readonly float[] _biases;

    public LogitBiasStage(IReadOnlyDictionary<int, float> biases, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(biases);
        _tokens = new int[biases.Count];
        _biases = new float[biases.Count];
        int n = 0;
        foreach (var (token, bias) in biases.OrderBy(kv => kv.Key))
        {
            if ((uint)token >= (uint)vocabSize)
                throw new ArgumentOutOfRangeException(nameof(biases), token, $"logit bias token id must be in [0, {vocabSize})");
            if (float.IsNaN(bias) || float.IsPositiveInfinity(bias))
                throw new ArgumentOutOfRangeException(nameof(biases), bias, $"logit bias for token {token} must be finite or -infinity");
            _tokens[n] = token;
            _biases[n] = bias;
            n++;
        }
    }

    public string Name => "logit-bias";

    public void Apply(CandidateList candidates)
    {
        if (_tokens.Length == 0) return;
        var items = candidates.Items;
        if (candidates.IsVocabularyOrder)
        {
            for (int b = 0; b < _tokens.Length; b++)
            {
                if (_tokens[b] < items.Length) items[_tokens[b]].Logit += _biases[b];
            }
        }
        else
        {
            for (int i = 0; i < items.Length; i++)
            {
                int b = Array.BinarySearch(_tokens, items[i].Id);
                if (b >= 0) items[i].Logit += _biases[b];
            }
        }
        candidates.OnLogitsChanged();
    }
}
