using System.Text.Json.Nodes;
using ChatEngine.Templates.Parsing;
using ChatEngine.Templates.Runtime;
using ChatEngine.Templates.Syntax;

namespace ChatEngine.Templates;

/// <summary>
/// A parsed Hugging Face <c>tokenizer.chat_template</c>. Rendering reproduces transformers' jinja2 environment
/// (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its tojson, raise_exception and
/// strftime_now). A parsed template is immutable and can be rendered concurrently.
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>
    /// The ChatML template used for models whose GGUF has no <c>tokenizer.chat_template</c>: every message becomes
    /// <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>, and the generation prompt is
    /// <c>&lt;|im_start|&gt;assistant\n</c> (the same default llama.cpp and transformers fall back to).
    /// </summary>
    public const string ChatMlSource =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private readonly IReadOnlyList<Stmt> _body;

    private ChatTemplate(string source, IReadOnlyList<Stmt> body)
    {
        Source = source;
        _body = body;
    }

    /// <summary>The ChatML fallback (<see cref="ChatMlSource"/>).</summary>
    public static ChatTemplate Fallback { get; } = Parse(ChatMlSource);

    /// <summary>The template text as given to <see cref="Parse"/>.</summary>
    public string Source { get; }

    /// <summary>Parses a template.</summary>
    /// <exception cref="TemplateSyntaxException">Malformed, or uses a construct this engine does not support.</exception>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ChatTemplate(source, Parser.Parse(source));
    }

    /// <summary>The template for a model: its own when it has one, else <see cref="Fallback"/>.</summary>
    public static ChatTemplate ForModel(string? chatTemplate) =>
        string.IsNullOrEmpty(chatTemplate) ? Fallback : Parse(chatTemplate);

    /// <summary>Renders a conversation.</summary>
    /// <param name="messages">Messages as OpenAI-style JSON objects (role, content, tool_calls ...), passed through unchanged.</param>
    /// <param name="options">Generation prompt, special tokens, tools, extra variables and clock; defaults when null.</param>
    /// <exception cref="TemplateRenderException">The template failed, like jinja2 would (see <see cref="TemplateRaisedException"/>
    /// for <c>raise_exception</c>).</exception>
    public string Render(JsonArray messages, ChatRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        options ??= new ChatRenderOptions();
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = JsonImport.ToValue(messages),
            ["tools"] = JsonImport.ToValue(options.Tools),
            ["documents"] = JsonImport.ToValue(options.Documents),
            ["add_generation_prompt"] = options.AddGenerationPrompt,
            ["bos_token"] = options.BosToken,
            ["eos_token"] = options.EosToken,
        };
        foreach (var pair in options.ExtraVariables) variables[pair.Key] = JsonImport.ToValue(pair.Value);
        return new Renderer(options.TimeProvider).Render(_body, variables);
    }
}
