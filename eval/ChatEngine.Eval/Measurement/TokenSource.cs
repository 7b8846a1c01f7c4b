namespace ChatEngine.Eval.Measurement;

/// <summary>Where a request's token counts come from, best first.</summary>
public enum TokenSource
{
    /// <summary>The in-process engine's own counts.</summary>
    Engine,

    /// <summary>The server's <c>usage</c> object.</summary>
    Usage,

    /// <summary>The model's tokenizer applied to the received text (the server sent no usage).</summary>
    Tokenizer,

    /// <summary>One token per content event (no usage, no tokenizer given): an estimate.</summary>
    Chunks,
}
