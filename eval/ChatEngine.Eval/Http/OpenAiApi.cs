namespace ChatEngine.Eval.Http;

/// <summary>Which OpenAI endpoint requests go to (<c>--api</c>).</summary>
public enum OpenAiApi
{
    /// <summary><c>/v1/chat/completions</c> with the suite's messages (the server applies its chat template).</summary>
    Chat,

    /// <summary><c>/v1/completions</c> with the message texts as a raw prompt (no template).</summary>
    Completions,
}
