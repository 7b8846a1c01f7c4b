namespace ChatEngine.Runtime.Serving;

/// <summary>How a sequence ended (the <c>outcome</c> label of <c>chatengine_requests_finished_total</c>).</summary>
public enum SequenceOutcome
{
    /// <summary>End-of-generation token or a stop sequence.</summary>
    Stop,

    /// <summary>The token limit.</summary>
    Length,

    /// <summary>The client went away.</summary>
    Cancelled,

    /// <summary>An error ended it.</summary>
    Failed,

    /// <summary>The server's shutdown deadline ended it (<see cref="Runtime.Generation.FinishReason.Shutdown"/>).</summary>
    Shutdown,
}
