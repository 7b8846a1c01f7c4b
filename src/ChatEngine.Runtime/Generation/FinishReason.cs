namespace ChatEngine.Runtime.Generation;

/// <summary>Why a generation ended, with OpenAI's meanings: a stop condition (EOS/EOG or a stop sequence) or the token limit.</summary>
public enum FinishReason
{
    Stop,
    Length,
}
