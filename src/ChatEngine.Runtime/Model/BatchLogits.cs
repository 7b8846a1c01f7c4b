namespace ChatEngine.Runtime.Model;

/// <summary>Which of a sequence's tokens in a <see cref="TokenBatch"/> get next-token logits.</summary>
public enum BatchLogits
{
    /// <summary>None: the tokens only fill the cache (a prompt chunk that is not the last).</summary>
    None,

    /// <summary>The last token only (decoding, or the end of a prompt).</summary>
    Last,

    /// <summary>Every token (perplexity, teacher forcing).</summary>
    All,
}
