using System.Text.Json.Nodes;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Templates.Tests;

/// <summary>Reads golden/chat-templates.json (rendered by jinja2 the way transformers does) and its template files.</summary>
public static class GoldenChatTemplates
{
    private static readonly Lazy<JsonObject> Document = new(() =>
        JsonNode.Parse(File.ReadAllText(TestPaths.Golden("chat-templates.json")))!.AsObject());

    /// <summary>A row id when ../shared is absent, so the skipped theory still has one row to report.</summary>
    public const string NoSharedData = "(../shared absent)";

    public static TheoryData<string> RenderedCaseIds() => Ids("cases");

    public static TheoryData<string> SkippedCaseIds() => Ids("skipped");

    private static TheoryData<string> Ids(string section)
    {
        var data = new TheoryData<string>();
        if (!TestPaths.HasShared)
        {
            data.Add(NoSharedData);
            return data;
        }
        foreach (var entry in Document.Value[section]!.AsArray()) data.Add(IdOf(entry!.AsObject()));
        return data;
    }

    private static string IdOf(JsonObject entry) =>
        $"{entry["template"]} | {entry["conversation"]} | add_generation_prompt={(bool)entry["add_generation_prompt"]!}";

    public static JsonObject Find(string section, string id) =>
        Document.Value[section]!.AsArray().Select(e => e!.AsObject()).Single(e => IdOf(e) == id);

    public static string TemplateSource(JsonObject entry) => File.ReadAllText(TestPaths.Shared((string)entry["template_file"]!));

    public static JsonArray Conversation(JsonObject entry) =>
        Document.Value["conversations"]![(string)entry["conversation"]!]!.AsArray().DeepClone().AsArray();

    public static ChatRenderOptions Options(JsonObject entry) => new()
    {
        AddGenerationPrompt = (bool)entry["add_generation_prompt"]!,
        BosToken = (string)entry["bos_token"]!,
        EosToken = (string)entry["eos_token"]!,
        TimeProvider = FixedTimeProvider.GoldenClock,
    };
}
