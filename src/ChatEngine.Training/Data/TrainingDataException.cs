namespace ChatEngine.Training.Data;

/// <summary>A training data line that cannot be used, naming the file and the 1-based line number.</summary>
public sealed class TrainingDataException(string path, int lineNumber, string reason)
    : Exception($"{path}:{lineNumber}: {reason}")
{
    public string Path { get; } = path;
    public int LineNumber { get; } = lineNumber;
    public string Reason { get; } = reason;
}
