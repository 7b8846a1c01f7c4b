namespace ChatEngine.Eval.Measurement;

/// <summary>Why a request produced no usable completion.</summary>
public enum ErrorKind
{
    /// <summary>No connection: refused, DNS failure, reset before a response.</summary>
    Connection,

    /// <summary>The server answered with a non-2xx status.</summary>
    HttpStatus,

    /// <summary>An event that is not valid JSON or lacks <c>choices</c>, or a non-SSE response.</summary>
    MalformedStream,

    /// <summary>The server sent an <c>error</c> object inside the stream.</summary>
    StreamError,

    /// <summary>The stream ended (or the connection dropped) before a finish reason or <c>[DONE]</c>.</summary>
    Truncated,

    /// <summary>The per-request timeout passed.</summary>
    Timeout,

    /// <summary>The in-process engine threw.</summary>
    Engine,
}
