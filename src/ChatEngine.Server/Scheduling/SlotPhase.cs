namespace ChatEngine.Server.Scheduling;

/// <summary>Where a slot's sequence is within a scheduler step cycle.</summary>
internal enum SlotPhase
{
    /// <summary>No sequence.</summary>
    Idle,

    /// <summary>Prompt tokens remain to be evaluated.</summary>
    Prefill,

    /// <summary>Logits for the next token are ready: sample one.</summary>
    Sample,

    /// <summary>A token was sampled and must be evaluated to get the next logits.</summary>
    Decode,
}
