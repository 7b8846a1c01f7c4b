namespace ChatEngine.Runtime.Serving;

/// <summary>What a slot's sequence needs from the next batched forward pass.</summary>
internal enum SlotPhase
{
    /// <summary>No sequence (the cache may still hold a finished one's tokens for prefix reuse).</summary>
    Idle,

    /// <summary>Prompt tokens remain to be evaluated.</summary>
    Prefill,

    /// <summary>A token was sampled and must be evaluated to get the next logits.</summary>
    Decode,
}
