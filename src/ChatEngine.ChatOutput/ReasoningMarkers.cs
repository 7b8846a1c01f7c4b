namespace ChatEngine.ChatOutput;

/// <summary>The literals around a reasoning block.</summary>
public sealed record ReasoningMarkers(string Start, string End);
