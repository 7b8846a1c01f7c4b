namespace ChatEngine.Runtime.Generation;

/// <summary>
/// Why a generation ended, with OpenAI's meanings: a stop condition (EOS/EOG or a stop sequence) or the token limit;
/// <see cref="Shutdown"/> is the server's own (OpenAI has no such value): its shutdown deadline ended the sequence.
/// </summary>
public enum FinishReason
{
    Stop,
    Length,
    Shutdown,
}
