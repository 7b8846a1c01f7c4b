namespace ChatEngine.Training;

/// <summary>A checkpoint that belongs to another run (other settings, data or base model) than the one resuming it.</summary>
public sealed class CheckpointMismatchException(string message) : Exception(message);
