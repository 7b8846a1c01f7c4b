namespace ChatEngine.Training.Data;

/// <summary>What loading does with a malformed training line: stop with its error, or skip it and report it.</summary>
public enum BadLinePolicy
{
    Fail,
    Skip,
}
