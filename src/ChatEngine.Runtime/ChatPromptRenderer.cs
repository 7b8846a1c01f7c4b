using System.Text.Json.Nodes;
using ChatEngine.Templates;
using ChatEngine.Text;

namespace ChatEngine.Runtime;

/// <summary>
/// Renders a conversation with a model's <c>tokenizer.chat_template</c> (or the documented ChatML fallback when the
/// file has none), passing the model's BOS/EOS token texts as the template expects.
/// </summary>
public sealed class ChatPromptRenderer(ChatTemplate template, Tokenizer tokenizer)
{
    public static ChatPromptRenderer ForModel(LanguageModel model) => new(ChatTemplate.ForModel(model.ChatTemplate), model.Tokenizer);

    public ChatTemplate Template => template;

    /// <summary>
    /// The rendered conversation as prompt tokens: special tokens in the text are parsed, and BOS is added only when
    /// the template did not already write it.
    /// </summary>
    public int[] RenderTokens(JsonArray messages, bool addGenerationPrompt)
    {
        var rendered = Render(messages, addGenerationPrompt);
        var startsWithBos = tokenizer.BosTokenId >= 0 && rendered.StartsWith(tokenizer.TokenText(tokenizer.BosTokenId), StringComparison.Ordinal);
        return tokenizer.Encode(rendered, addSpecial: !startsWithBos, parseSpecial: true);
    }

    public string Render(JsonArray messages, bool addGenerationPrompt, JsonNode? tools = null) =>
        template.Render(messages, new ChatRenderOptions
        {
            AddGenerationPrompt = addGenerationPrompt,
            BosToken = tokenizer.BosTokenId >= 0 ? tokenizer.TokenText(tokenizer.BosTokenId) : "",
            EosToken = tokenizer.EosTokenId >= 0 ? tokenizer.TokenText(tokenizer.EosTokenId) : "",
            Tools = tools,
        });
}
