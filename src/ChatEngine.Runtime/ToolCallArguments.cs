using System.Text.Json;
using System.Text.Json.Nodes;
using ChatEngine.Templates;

namespace ChatEngine.Runtime;

/// <summary>
/// How tool-call arguments reach a template, as llama.cpp hands them over (common/chat.cpp: a capability probe, then
/// workaround::func_args_not_string): when the template renders a call whose arguments are an object, OpenAI's
/// JSON-string arguments are parsed into objects before rendering, since templates iterate or tojson them (most do);
/// a template that fails on an object (functionary v3.2 concatenates arguments to a string) or never shows it keeps
/// the string. The probe renders once per instance, on first need.
/// </summary>
public sealed class ToolCallArguments(ChatTemplate template)
{
    private readonly Lazy<bool> _objectArguments = new(() => RendersObjectArguments(template));

    /// <summary><paramref name="messages"/>, or a copy whose JSON-string tool-call arguments are objects when the template wants objects.</summary>
    public JsonArray ForTemplate(JsonArray messages)
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
