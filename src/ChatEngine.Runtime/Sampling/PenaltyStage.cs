namespace ChatEngine.Runtime.Sampling;

/// <summary>
/// llama.cpp's repetition penalties over the last <c>lastN</c> accepted tokens. For each token seen c &gt; 0 times in
/// the window: its logit is divided by <c>repeatPenalty</c> when positive and multiplied by it otherwise (so the
/// penalty always lowers it), then <c>c * frequencyPenalty + presencePenalty</c> is subtracted.
/// </summary>
public sealed class PenaltyStage : ISamplerStage
{
    private readonly int _vocabSize;
    private readonly float _repeatPenalty;
    private readonly float _frequencyPenalty;
    private readonly float _presencePenalty;

    // Window of the last N tokens as a ring buffer, oldest at _start.
    private readonly int[] _window;
    private int _start;
    private int _windowCount;

    // Occurrences of each token in the window, and the set of tokens with a nonzero count (with each token's
    // slot in that set) so a penalty pass touches only the distinct tokens, not the whole vocabulary.
    private readonly int[] _counts;
    private readonly int[] _distinct;
    private readonly int[] _slotInDistinct;
    private int _distinctCount;

    public PenaltyStage(int lastN, float repeatPenalty, float frequencyPenalty, float presencePenalty, int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastN);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        if (!(repeatPenalty > 0f) || !float.IsFinite(repeatPenalty))
            throw new ArgumentOutOfRangeException(nameof(repeatPenalty), repeatPenalty, "must be finite and > 0");
        if (!float.IsFinite(frequencyPenalty)) throw new ArgumentOutOfRangeException(nameof(frequencyPenalty), frequencyPenalty, "must be finite");
        if (!float.IsFinite(presencePenalty)) throw new ArgumentOutOfRangeException(nameof(presencePenalty), presencePenalty, "must be finite");

        _vocabSize = vocabSize;
        _repeatPenalty = repeatPenalty;
        _frequencyPenalty = frequencyPenalty;
        _presencePenalty = presencePenalty;
        _window = new int[lastN];
        _distinct = new int[lastN];
        _counts = new int[vocabSize];
        _slotInDistinct = new int[vocabSize];
    }

    public string Name => "penalties";

    /// <summary>How many times <paramref name="token"/> occurs in the current window.</summary>
    public int CountInWindow(int token) => (uint)token < (uint)_vocabSize ? _counts[token] : 0;

    public void Accept(int token)
    {
        if ((uint)token >= (uint)_vocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token id must be in [0, {_vocabSize})");
        if (_window.Length == 0) return;

        if (_windowCount == _window.Length)
        {
            Decrement(_window[_start]);
            _window[_start] = token;
            _start = (_start + 1) % _window.Length;
        }
        else
        {
            _window[(_start + _windowCount) % _window.Length] = token;
            _windowCount++;
        }
        Increment(token);
    }

    public void Reset()
    {
        for (int i = 0; i < _distinctCount; i++) _counts[_distinct[i]] = 0;
        _distinctCount = 0;
        _start = 0;
        _windowCount = 0;
    }

    public void Apply(CandidateList candidates)
    {
        if (_distinctCount == 0) return;
        var items = candidates.Items;
        if (candidates.IsVocabularyOrder)
        {
            for (int d = 0; d < _distinctCount; d++)
            {
                int token = _distinct[d];
                if (token < items.Length) Penalize(ref items[token].Logit, _counts[token]);
            }
        }
        else
        {
            for (int i = 0; i < items.Length; i++)
            {
                int count = _counts[items[i].Id];
                if (count > 0) Penalize(ref items[i].Logit, count);
            }
        }
        candidates.OnLogitsChanged();
    }

    private void Penalize(ref float logit, int count)
    {
        if (logit <= 0f) logit *= _repeatPenalty;
        else logit /= _repeatPenalty;
        logit -= count * _frequencyPenalty + _presencePenalty;
    }

    private void Increment(int token)
    {
        if (_counts[token]++ == 0)
        {
            _slotInDistinct[token] = _distinctCount;
            _distinct[_distinctCount++] = token;
        }
    }

    private void Decrement(int token)
    {
        if (--_counts[token] == 0)
        {
            int slot = _slotInDistinct[token];
            int last = _distinct[--_distinctCount];
            _distinct[slot] = last;
            _slotInDistinct[last] = slot;
        }
    }
}
