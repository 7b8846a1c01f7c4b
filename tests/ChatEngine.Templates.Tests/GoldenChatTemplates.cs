using System.Text.Json.Nodes;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Templates.Tests;

/// <summary>
/// Reads a golden rendering file (chat-templates.json, chat-templates-tools.json: rendered by jinja2 the way transformers
/// does) and its template files.
/// </summary>
public sealed class GoldenChatTemplates
{
    /// <summary>A row id when ../shared is absent, so the skipped theory still has one row to report.</summary>
    public const string NoSharedData = "(../shared absent)";

    /// <summary>golden/chat-templates.json: plain conversations.</summary>
    public static GoldenChatTemplates Plain { get; } = new("chat-templates.json");

    /// <summary>golden/chat-templates-tools.json: tools offered, tool calls and results, reasoning, template kwargs.</summary>
    public static GoldenChatTemplates Tools { get; } = new("chat-templates-tools.json");

    private readonly Lazy<JsonObject> _document;

    private GoldenChatTemplates(string fileName) =>
        _document = new(() => JsonNode.Parse(File.ReadAllText(TestPaths.Golden(fileName)))!.AsObject());

    public static TheoryData<string> RenderedCaseIds() => Plain.Ids("cases");

    public static TheoryData<string> SkippedCaseIds() => Plain.Ids("skipped");

    public static TheoryData<string> ToolRenderedCaseIds() => Tools.Ids("cases");

    public static TheoryData<string> ToolSkippedCaseIds() => Tools.Ids("skipped");

    private TheoryData<string> Ids(string section)
    {
        var data = new TheoryData<string>();
        if (!TestPaths.HasShared)
        {
            data.Add(NoSharedData);
            return data;
        }
        foreach (var entry in _document.Value[section]!.AsArray()) data.Add(IdOf(entry!.AsObject()));
        return data;
    }

    private static string IdOf(JsonObject entry)
    {
        var id = $"{entry["template"]} | {entry["conversation"]} | add_generation_prompt={(bool)entry["add_generation_prompt"]!}";
        return entry["kwargs"] is JsonObject { Count: > 0 } kwargs ? $"{id} | {kwargs.ToJsonString()}" : id;
    }

    public JsonObject Find(string section, string id) =>
        _document.Value[section]!.AsArray().Select(e => e!.AsObject()).Single(e => IdOf(e) == id);

    public static string TemplateSource(JsonObject entry) => File.ReadAllText(TestPaths.Shared((string)entry["template_file"]!));

    public JsonArray Conversation(JsonObject entry) =>
        _document.Value["conversations"]![(string)entry["conversation"]!]!.AsArray().DeepClone().AsArray();

    /// <summary>The case's render call; <c>tools</c> and <c>kwargs</c> exist only in chat-templates-tools.json.</summary>
    public static ChatRenderOptions Options(JsonObject entry) => new()
    {
        AddGenerationPrompt = (bool)entry["add_generation_prompt"]!,
        BosToken = (string)entry["bos_token"]!,
        EosToken = (string)entry["eos_token"]!,
        Tools = entry["tools"]?.DeepClone(),
        ExtraVariables = entry["kwargs"] is JsonObject kwargs
            ? kwargs.ToDictionary(pair => pair.Key, pair => pair.Value?.DeepClone())
            : new Dictionary<string, JsonNode?>(),
        TimeProvider = FixedTimeProvider.GoldenClock,
    };

    /// <summary>Renders a golden case (from its "cases" or "skipped" section) with <see cref="ChatTemplate.Render"/>.</summary>
    public string Render(JsonObject entry) =>
        ChatTemplate.Parse(TemplateSource(entry)).Render(Conversation(entry), Options(entry));

    /// <summary>
    /// Asserts a skipped case fails like jinja2: raise_exception (reason "TemplateError: msg") as
    /// <see cref="TemplateRaisedException"/> with that message; any other jinja/Python error as another
    /// <see cref="TemplateRenderException"/> that points at the template.
    /// </summary>
    public void AssertFailsLikeJinja2(JsonObject entry)
    {
        var error = Assert.ThrowsAny<TemplateRenderException>(() => Render(entry));

        var reason = (string)entry["reason"]!;
        const string raised = "TemplateError: ";
        if (reason.StartsWith(raised, StringComparison.Ordinal))
        {
            Assert.IsType<TemplateRaisedException>(error);
            Assert.Equal(reason[raised.Length..], error.Message);
        }
        else
        {
            Assert.IsNotType<TemplateRaisedException>(error);
            Assert.True(error.Line > 0 && error.Column > 0);
        }
    }
}
