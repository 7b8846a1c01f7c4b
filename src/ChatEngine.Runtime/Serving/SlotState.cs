namespace ChatEngine.Runtime.Serving;

/// <summary>A scheduler slot as of between two steps: whether it runs a sequence, and the positions its cache holds
/// (the running sequence's, or those kept for prefix reuse).</summary>
public sealed record SlotState(int Id, bool IsProcessing, int CachedTokens);

/// <summary>A slot's cache as <see cref="InferenceScheduler.SaveSlotAsync"/> took it: its positions and the bytes to
/// store and hand back to <see cref="InferenceScheduler.RestoreSlotAsync"/>.</summary>
public sealed record SavedSlot(int Tokens, byte[] Data);
