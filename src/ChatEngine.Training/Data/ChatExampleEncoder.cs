using System.Text.Json.Nodes;
using ChatEngine.Runtime;

namespace ChatEngine.Training.Data;

/// <summary>
/// Turns a conversation into tokens exactly as inference sees it (<see cref="ChatPromptRenderer.RenderTokens"/>: the
/// whole conversation rendered with the model's chat template and tokenized once, message text kept as text).
/// Assistant turn i's tokens are those between the rendering of the messages before it (with the generation prompt)
/// and the rendering that includes it, found by comparing token prefixes, so the loss covers the reply and whatever
/// the template closes the turn with (e.g. an end-of-turn token), never the prompt.
/// </summary>
public sealed class ChatExampleEncoder(ChatPromptRenderer renderer)
{
    /// <exception cref="ArgumentException">No assistant turn, or the template does not render the turn as a continuation.</exception>
    public (int[] Tokens, bool[] IsTarget) Encode(JsonArray messages)
    {
        var tokens = renderer.RenderTokens(messages, addGenerationPrompt: false);
        var isTarget = new bool[tokens.Length];
        var assistantTurns = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i]?["role"]?.GetValue<string>() != "assistant") continue;
            assistantTurns++;
            var start = CommonPrefix(tokens, renderer.RenderTokens(Slice(messages, i), addGenerationPrompt: true));
            var end = CommonPrefix(tokens, renderer.RenderTokens(Slice(messages, i + 1), addGenerationPrompt: false));
            if (end <= start)
                throw new ArgumentException($"the chat template does not render assistant message {i} as a continuation of the messages before it");
            isTarget.AsSpan(start, end - start).Fill(true);
        }
        if (assistantTurns == 0) throw new ArgumentException("the conversation has no assistant message to learn from");
        return (tokens, isTarget);
    }

    private static JsonArray Slice(JsonArray messages, int count) => new(messages.Take(count).Select(m => m?.DeepClone()).ToArray());

    private static int CommonPrefix(int[] a, int[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
