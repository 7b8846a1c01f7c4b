using System.Text.Json;

namespace ChatEngine.Runtime.Tests.Constraints;

/// <summary>
/// An independent JSON-schema check for the subset the grammar compiler supports, written from the JSON Schema
/// specification (not from the compiler), so constrained output can be validated against what the schema says.
/// Returns null when valid, otherwise where and why not.
/// </summary>
public static class SchemaValidator
{
    public static string? Validate(JsonElement value, JsonElement schema) => Validate(value, schema, schema, "$");

    private static string? Validate(JsonElement value, JsonElement schema, JsonElement root, string at)
    {
        if (schema.ValueKind == JsonValueKind.True) return null;
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var parts = reference.GetString()!.Split('/');
            return Validate(value, root.GetProperty(parts[1]).GetProperty(parts[2]), root, at);
        }
        if (schema.TryGetProperty("const", out var constant))
            return JsonElement.DeepEquals(value, constant) ? null : $"{at}: {value} is not the const {constant}";
        if (schema.TryGetProperty("enum", out var values))
            return values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)) ? null : $"{at}: {value} is not in the enum";
        if (schema.TryGetProperty("anyOf", out var anyOf))
            return anyOf.EnumerateArray().Any(s => Validate(value, s, root, at) is null) ? null : $"{at}: {value} matches no anyOf alternative";
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];
            if (!types.Any(t => HasType(value, t))) return $"{at}: {value} is not of type {string.Join("|", types)}";
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var length = value.GetString()!.EnumerateRunes().Count();
                if (schema.TryGetProperty("minLength", out var minLength) && length < minLength.GetInt32()) return $"{at}: shorter than minLength";
                if (schema.TryGetProperty("maxLength", out var maxLength) && length > maxLength.GetInt32()) return $"{at}: longer than maxLength";
                return null;
            case JsonValueKind.Array:
                var count = value.GetArrayLength();
                if (schema.TryGetProperty("minItems", out var minItems) && count < minItems.GetInt32()) return $"{at}: fewer than minItems";
                if (schema.TryGetProperty("maxItems", out var maxItems) && count > maxItems.GetInt32()) return $"{at}: more than maxItems";
                if (!schema.TryGetProperty("items", out var items)) return null;
                return value.EnumerateArray().Select((item, i) => Validate(item, items, root, $"{at}[{i}]")).FirstOrDefault(e => e is not null);
            case JsonValueKind.Object:
                var properties = schema.TryGetProperty("properties", out var p) ? p : default;
                if (schema.TryGetProperty("required", out var required))
                {
                    foreach (var name in required.EnumerateArray())
                        if (!value.TryGetProperty(name.GetString()!, out _)) return $"{at}: required property '{name}' is missing";
                }
                var seen = new HashSet<string>();
                foreach (var property in value.EnumerateObject())
                {
                    if (!seen.Add(property.Name)) return $"{at}: duplicate property '{property.Name}'";
                    if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                    {
                        if (Validate(property.Value, propertySchema, root, $"{at}.{property.Name}") is { } error) return error;
                    }
                    else if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False)
                    {
                        return $"{at}: additional property '{property.Name}'";
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && d == Math.Floor(d),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new ArgumentException($"unknown type {type}"),
    };
}
