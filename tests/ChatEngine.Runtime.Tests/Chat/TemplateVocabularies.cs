using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChatEngine.Gguf;
using ChatEngine.Templates;
using ChatEngine.TestData;
using ChatEngine.Text;

namespace ChatEngine.Runtime.Tests.Chat;

/// <summary>
/// The chat templates of ../shared/templates with the control-token strings each writes, and vocabularies in which
/// those strings are control tokens. Only the Phi-3 vocabulary of ../shared/vocab has a family's turn tokens, so the
/// others are real vocabularies (GPT-2's byte-level BPE, llama's SPM) with every template's control-token strings
/// added as CONTROL tokens (a text the vocabulary has is re-typed, any other appended) and &lt;s&gt; / &lt;/s&gt; as BOS / EOS.
/// </summary>
internal static partial class TemplateVocabularies
{
    /// <summary>A row id when ../shared is absent, so the skipped theory still has one row to report.</summary>
    public const string NoSharedData = "(../shared absent)";

    public const string Gpt2WithControls = "gpt-2 + template control tokens";
    public const string SpmWithControls = "llama-spm + template control tokens";
    public const string Phi3 = "phi-3";

    public const string Bos = "<s>";
    public const string Eos = "</s>";

    private static readonly Lazy<IReadOnlyDictionary<string, RenderingTemplate>> Templates = new(LoadTemplates);

    private static readonly Lazy<IReadOnlyDictionary<string, Tokenizer>> Vocabularies = new(() =>
    {
        var controls = Templates.Value.Values.SelectMany(t => t.ControlStrings).Distinct(StringComparer.Ordinal).ToArray();
        return new Dictionary<string, Tokenizer>(StringComparer.Ordinal)
        {
            [Gpt2WithControls] = WithControls("ggml-vocab-gpt-2.gguf", controls),
            [SpmWithControls] = WithControls("ggml-vocab-llama-spm.gguf", controls),
            [Phi3] = Load("ggml-vocab-phi-3.gguf"),
        };
    });

    /// <summary>A system/user/assistant/user conversation; templates that reject a system message get it without.</summary>
    public static JsonArray Conversation(bool withSystem, string lastUser)
    {
        var messages = new JsonArray();
        if (withSystem) messages.Add(new JsonObject { ["role"] = "system", ["content"] = "You are terse." });
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = "Hi there" });
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = "Hello." });
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = lastUser });
        return messages;
    }

    /// <summary>(template, vocabulary) rows: every rendering template with both appended vocabularies, and with each
    /// real vocabulary in which all its control-token strings are control tokens.</summary>
    public static IEnumerable<(string Template, string Vocabulary)> Cases()
    {
        foreach (var template in Templates.Value.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            yield return (template.Name, Gpt2WithControls);
            yield return (template.Name, SpmWithControls);
            var phi3 = Vocabularies.Value[Phi3];
            if (template.ControlStrings.All(c => IsControl(phi3, c))) yield return (template.Name, Phi3);
        }
    }

    /// <summary>The templates that do not render the plain conversation at all, with the reason.</summary>
    public static IReadOnlyDictionary<string, string> NotRendering()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in TemplatePaths())
        {
            if (Rendering(path, out var reason) is null) result[Name(path)] = reason!;
        }
        return result;
    }

    public static RenderingTemplate Template(string name) => Templates.Value[name];

    public static Tokenizer Vocabulary(string name) => Vocabularies.Value[name];

    public static bool IsControl(Tokenizer tokenizer, string text)
    {
        var id = tokenizer.FindToken(text);
        return id >= 0 && tokenizer.GetTokenType(id) == TokenType.Control;
    }

    // The spellings of control tokens in the families of ../shared/templates: <|name|>, DeepSeek's <｜name｜>, Mistral's
    // [INST], <s>, Gemma's <start_of_turn>, Gemma 4's <|turn>/<turn|>, Seed's <seed:bos>, MiniMax's ]~b], Nemotron's
    // <SPECIAL_n>, Laguna's 〈|EOS|〉 and <user>, GLM's [gMASK]<sop>, Reka's <sep>.
    [GeneratedRegex(@"<\|[^<>|\n]{1,48}\|>|<｜[^<>｜\n]{1,48}｜>|\[/?[A-Z][A-Z_]{1,30}\]|</?s>|<[a-z_]+_of_[a-z_]+>|<\|[a-z_]+>|<[a-z_]+\|>"
        + @"|<seed:[a-z]+>|\]~!?b[\[\]]|\[e~\[|<SPECIAL_[0-9]+>|〈\|[A-Z]+\|〉|</?(?:system|user|assistant)>|\[gMASK\]|<sop>|<sep>")]
    private static partial Regex ControlStringPattern();

    private static IReadOnlyDictionary<string, RenderingTemplate> LoadTemplates()
    {
        var result = new Dictionary<string, RenderingTemplate>(StringComparer.Ordinal);
        foreach (var path in TemplatePaths())
        {
            if (Rendering(path, out _) is { } template) result[template.Name] = template;
        }
        return result;
    }

    private static RenderingTemplate? Rendering(string path, out string? reason)
    {
        reason = null;
        ChatTemplate template;
        try
        {
            template = ChatTemplate.Parse(File.ReadAllText(path));
        }
        catch (TemplateSyntaxException e)
        {
            reason = e.Message;
            return null;
        }
        foreach (var withSystem in (bool[])[true, false])
        {
            try
            {
                var rendered = template.Render(Conversation(withSystem, "Say hi quokka"), new ChatRenderOptions { AddGenerationPrompt = true, BosToken = Bos, EosToken = Eos });
                var controls = ControlStringPattern().Matches(rendered).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToArray();
                return new RenderingTemplate(Name(path), template, withSystem, controls);
            }
            catch (TemplateRenderException e)
            {
                reason = e.Message;
            }
        }
        return null;
    }

    private static IEnumerable<string> TemplatePaths() =>
        Directory.GetFiles(TestPaths.Shared("templates"), "*.jinja").Order(StringComparer.Ordinal);

    private static string Name(string path) => Path.GetFileNameWithoutExtension(path);

    private static Tokenizer Load(string vocabFile)
    {
        using var file = GgufFile.Open(TestPaths.Shared("vocab", vocabFile));
        return Tokenizer.FromGguf(file.Metadata);
    }

    private static Tokenizer WithControls(string vocabFile, string[] controls)
    {
        var all = controls.Append(Bos).Append(Eos).Distinct(StringComparer.Ordinal).ToArray();
        var metadata = AddedTokens.Add(TestPaths.Shared("vocab", vocabFile), all.Select(c => (c, AddedTokens.Control)));
        var texts = metadata.GetStringArray("tokenizer.ggml.tokens");
        metadata.Set("tokenizer.ggml.bos_token_id", new GgufValue(GgufValueType.UInt32, (uint)Array.IndexOf(texts, Bos)));
        metadata.Set("tokenizer.ggml.eos_token_id", new GgufValue(GgufValueType.UInt32, (uint)Array.IndexOf(texts, Eos)));
        metadata.Set("tokenizer.ggml.add_bos_token", new GgufValue(GgufValueType.Bool, true));
        var tokenizer = Tokenizer.FromGguf(metadata);
        if (all.Any(c => !IsControl(tokenizer, c))) throw new InvalidOperationException($"{vocabFile}: the added control tokens are not all control tokens");
        return tokenizer;
    }
}

/// <summary>A template that renders the plain conversation, and the control-token strings that rendering contains.</summary>
internal sealed record RenderingTemplate(string Name, ChatTemplate Template, bool WithSystem, string[] ControlStrings);
