using System.Text;
using System.Text.Json;
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

    // As llama.cpp does (common/chat.cpp: a capability probe, then workaround::func_args_not_string): when the template
    // renders a tool call whose arguments are an object, OpenAI's JSON-string arguments are parsed into objects before
    // rendering, since templates iterate or tojson them (most do); a template that fails on an object (functionary v3.2
    // concatenates arguments to a string) or never shows it keeps the string.
    private readonly Lazy<bool> _objectArguments = new(() => RendersObjectArguments(template));

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
        var (utf8, literal) = marking.Restore(RenderAsIs(marking.Mark(WithTemplateArguments(messages)), addGenerationPrompt, tools, variables));
        var bos = tokenizer.BosTokenId >= 0 ? Encoding.UTF8.GetBytes(tokenizer.TokenText(tokenizer.BosTokenId)) : [];
        var templateWroteBos = tokenizer.BosTokenId >= 0 && utf8.AsSpan().StartsWith(bos) && (literal.Length == 0 || literal[0].Offset >= bos.Length);
        return tokenizer.Encode(utf8, addSpecial: !templateWroteBos, parseSpecial: true, literal);
    }

    /// <summary>The rendered conversation as text; tool-call arguments reach the template as llama.cpp passes them.</summary>
    public string Render(JsonArray messages, bool addGenerationPrompt, JsonNode? tools = null,
        IReadOnlyDictionary<string, JsonNode?>? variables = null) =>
        RenderAsIs(WithTemplateArguments(messages), addGenerationPrompt, tools, variables);

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

    /// <summary><paramref name="messages"/>, or a copy whose JSON-string tool-call arguments are objects when the template wants objects.</summary>
    private JsonArray WithTemplateArguments(JsonArray messages)
    {
        static IEnumerable<JsonObject> Functions(JsonArray messages) =>
            messages.OfType<JsonObject>().Select(m => m["tool_calls"]).OfType<JsonArray>()
                .SelectMany(calls => calls.OfType<JsonObject>()).Select(call => call["function"]).OfType<JsonObject>();

        static bool IsText(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String;

        if (!Functions(messages).Any(f => IsText(f["arguments"])) || !_objectArguments.Value) return messages;
        var copy = messages.DeepClone().AsArray();
        foreach (var function in Functions(copy).Where(f => IsText(f["arguments"])))
        {
            try
            {
                function["arguments"] = JsonNode.Parse((string)function["arguments"]!);
            }
            catch (JsonException)
            {
                // Not JSON: the template gets the text, as llama.cpp leaves it.
            }
        }
        return copy;
    }

    private static bool RendersObjectArguments(ChatTemplate template)
    {
        const string needle = "argument_needle";
        var probe = JsonNode.Parse("""
            [
              {"role": "user", "content": "Hi"},
              {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call00001", "type": "function", "function": {"name": "probe_function", "arguments": {"argument_needle": "value"}}}]},
              {"role": "tool", "tool_call_id": "call00001", "name": "probe_function", "content": "ok"}
            ]
            """)!.AsArray();
        // The tool's schema leaves the needle out, so only the call's arguments can put it in the output.
        var tools = JsonNode.Parse("""
            [{"type": "function", "function": {"name": "probe_function", "description": "Probe.", "parameters": {"type": "object", "properties": {}}}}]
            """);
        try
        {
            return template.Render(probe, new ChatRenderOptions { AddGenerationPrompt = true, Tools = tools }).Contains(needle, StringComparison.Ordinal);
        }
        catch (TemplateRenderException)
        {
            return false;
        }
    }
}
