using System.Text.Json.Nodes;

namespace ChatEngine.Templates.Tests;

/// <summary>Renders a template source with no messages and the given variables (JSON), on the golden clock.</summary>
internal static class TemplateRendering
{
    public static string Render(string source, string variablesJson = "{}")
    {
        var variables = JsonNode.Parse(variablesJson)!.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone());
        return ChatTemplate.Parse(source).Render(new JsonArray(), new ChatRenderOptions
        {
            ExtraVariables = variables,
            TimeProvider = FixedTimeProvider.GoldenClock,
        });
    }
}
