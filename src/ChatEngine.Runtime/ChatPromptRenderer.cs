using System.Text;
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
    private readonly Lazy<MessageTextMarker> _marker = new(() => new MessageTextMarker(tokenizer.ControlTokenTexts));

    private readonly ToolCallArguments _arguments = new(template);

    public static ChatPromptRenderer ForModel(LanguageModel model) => new(ChatTemplate.ForModel(model.ChatTemplate), model.Tokenizer);

    public ChatTemplate Template => template;

    /// <summary>The text the template sees as <c>bos_token</c>: the model's BOS token, or empty when it has none.</summary>
    public string BosToken => tokenizer.BosTokenId >= 0 ? tokenizer.TokenText(tokenizer.BosTokenId) : "";

    /// <summary>The text the template sees as <c>eos_token</c>.</summary>
    public string EosToken => tokenizer.EosTokenId >= 0 ? tokenizer.TokenText(tokenizer.EosTokenId) : "";

    /// <summary>
    /// The rendered conversation as prompt tokens, the one way messages become a prompt. The control tokens the
    /// template writes are parsed; text inside the messages stays text, even where it spells a control token such as
    /// <c>&lt;|im_end|&gt;</c>. BOS is added only when the template did not already write it.
    /// </summary>
    /// <param name="tools">OpenAI-style tool definitions for the template's <c>tools</c>, or null for None.</param>
    /// <param name="variables">Further template variables (<c>chat_template_kwargs</c>, <c>reasoning_effort</c> ...).</param>
    /// <exception cref="TemplateRenderException">The template rejected the messages.</exception>
    public int[] RenderTokens(JsonArray messages, bool addGenerationPrompt, JsonNode? tools = null,
        IReadOnlyDictionary<string, JsonNode?>? variables = null)
    {
        var marking = new MessageTextMarker.Marking(_marker.Value);
        var (utf8, literal) = marking.Restore(RenderAsIs(marking.Mark(_arguments.ForTemplate(messages)), addGenerationPrompt, tools, variables));
        var bos = tokenizer.BosTokenId >= 0 ? Encoding.UTF8.GetBytes(tokenizer.TokenText(tokenizer.BosTokenId)) : [];
        var templateWroteBos = tokenizer.BosTokenId >= 0 && utf8.AsSpan().StartsWith(bos) && (literal.Length == 0 || literal[0].Offset >= bos.Length);
        return tokenizer.Encode(utf8, addSpecial: !templateWroteBos, parseSpecial: true, literal);
    }

    /// <summary>The rendered conversation as text; tool-call arguments reach the template as llama.cpp passes them.</summary>
    public string Render(JsonArray messages, bool addGenerationPrompt, JsonNode? tools = null,
        IReadOnlyDictionary<string, JsonNode?>? variables = null) =>
        RenderAsIs(_arguments.ForTemplate(messages), addGenerationPrompt, tools, variables);

    private string RenderAsIs(JsonArray messages, bool addGenerationPrompt, JsonNode? tools,
        IReadOnlyDictionary<string, JsonNode?>? variables) =>
        template.Render(messages, new ChatRenderOptions
        {
            AddGenerationPrompt = addGenerationPrompt,
            BosToken = BosToken,
            EosToken = EosToken,
            Tools = tools,
            ExtraVariables = variables ?? new Dictionary<string, JsonNode?>(),
        });
}
