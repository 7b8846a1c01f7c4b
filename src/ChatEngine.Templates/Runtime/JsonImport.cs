using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatEngine.Templates.Runtime;

/// <summary>
/// Converts System.Text.Json nodes to template values the way Python's json.loads would: objects to ordered dicts,
/// arrays to lists, integral numbers to int and numbers written with a fraction or exponent to float.
/// </summary>
internal static class JsonImport
{
    public static object? ToValue(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var dict = new PyDict();
                foreach (var pair in obj) dict[pair.Key] = ToValue(pair.Value);
                return dict;
            case JsonArray array:
                var list = new List<object?>(array.Count);
                foreach (var item in array) list.Add(ToValue(item));
                return list;
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Null => null,
                    JsonValueKind.Number => Number(value),
                    var kind => throw new ArgumentException($"unsupported JSON value kind {kind}", nameof(node)),
                };
            default:
                throw new ArgumentException($"unsupported JSON node {node.GetType().Name}", nameof(node));
        }
    }

    private static object Number(JsonValue value)
    {
        var text = value.ToJsonString();
        var isIntegral = !text.Contains('.', StringComparison.Ordinal) && !text.Contains('e', StringComparison.Ordinal)
                         && !text.Contains('E', StringComparison.Ordinal);
        if (isIntegral && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }
        return double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
