using System.Text.Json;

namespace ChatEngine.ChatOutput;

internal static class ToolSchemas
{
    /// <summary>The (function, parameter) pairs whose JSON schema type is string, from an OpenAI tools array.</summary>
    public static HashSet<(string Function, string Parameter)> StringParameters(JsonElement? tools)
    {
        var pairs = new HashSet<(string, string)>();
        if (tools is not { ValueKind: JsonValueKind.Array } array) return pairs;
        foreach (var tool in array.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object
                || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !function.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object
                || !parameters.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
                continue;
            foreach (var property in properties.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("type", out var type)
                    && type.ValueKind == JsonValueKind.String && type.GetString() == "string")
                    pairs.Add((name.GetString()!, property.Name));
            }
        }
        return pairs;
    }
}
