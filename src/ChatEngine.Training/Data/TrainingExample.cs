namespace ChatEngine.Training.Data;

/// <summary>One tokenized conversation; <see cref="IsTarget"/>[i] marks tokens the model learns to produce (assistant turns).</summary>
public sealed record TrainingExample(int LineNumber, int[] Tokens, bool[] IsTarget);
