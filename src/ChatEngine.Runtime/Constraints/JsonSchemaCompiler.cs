using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// Compiles the JSON-schema subset that structured outputs commonly use into grammar rules:
/// <c>type</c> (object, array, string, number, integer, boolean, null, or a list of them), <c>properties</c>,
/// <c>required</c>, <c>additionalProperties</c> (true/false: only declared properties are ever produced),
/// <c>items</c>, <c>minItems</c>/<c>maxItems</c>, <c>minLength</c>/<c>maxLength</c>, <c>enum</c>, <c>const</c>,
/// <c>anyOf</c> (alternatives must start differently, e.g. string | null), local <c>$ref</c> into
/// <c>$defs</c>/<c>definitions</c> (not recursive), and annotations (title, description, default, examples, and any
/// keyword that is not JSON Schema's, such as a generator's extensions), which are ignored. Anything else (pattern, format, minimum, oneOf ...) is a <see cref="JsonSchemaException"/>: a
/// constraint that is not enforced would let invalid output through.
/// </summary>
internal sealed class JsonSchemaCompiler
{
    // The validation keywords of JSON Schema (draft 4 to 2020-12) that the grammar does not enforce; every other keyword
    // it does not know is an annotation (as the specification says of unknown keywords) and is ignored.
    private static readonly HashSet<string> Unenforced =
    [
        "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minProperties", "maxProperties",
        "patternProperties", "propertyNames", "dependentRequired", "dependentSchemas", "dependencies", "unevaluatedProperties",
        "uniqueItems", "contains", "minContains", "maxContains", "prefixItems", "additionalItems", "unevaluatedItems",
        "oneOf", "allOf", "not", "if", "then", "else", "$dynamicRef", "$recursiveRef", "contentEncoding", "contentMediaType", "contentSchema",
    ];

    private static readonly JsonWriterOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonElement _document;
    private readonly HashSet<string> _resolving = [];

    private JsonSchemaCompiler(JsonElement document) => _document = document;

    public static ValueRule Compile(JsonElement schema) => new JsonSchemaCompiler(schema).CompileNode(schema, "#");

    private ValueRule CompileNode(JsonElement schema, string path)
    {
        if (schema.ValueKind == JsonValueKind.True) return UnionRule.Any;
        if (schema.ValueKind != JsonValueKind.Object) throw new JsonSchemaException(path, "a schema must be an object or true");
        foreach (var keyword in schema.EnumerateObject())
        {
            if (Unenforced.Contains(keyword.Name))
                throw new JsonSchemaException($"{path}/{keyword.Name}", $"the keyword '{keyword.Name}' is not supported");
        }
        if (schema.TryGetProperty("$ref", out var reference)) return CompileReference(reference, path);
        if (schema.TryGetProperty("const", out var constant)) return new LiteralRule([Serialize(constant)]);
        if (schema.TryGetProperty("enum", out var values)) return CompileEnum(values, path + "/enum");
        if (schema.TryGetProperty("anyOf", out var anyOf)) return CompileAnyOf(anyOf, path + "/anyOf");
        if (!schema.TryGetProperty("type", out var type)) return CompileType(schema, InferType(schema), path);
        if (type.ValueKind == JsonValueKind.String) return CompileType(schema, type.GetString()!, path);
        if (type.ValueKind != JsonValueKind.Array || type.GetArrayLength() == 0)
            throw new JsonSchemaException(path + "/type", "'type' must be a type name or a non-empty array of them");
        var alternatives = new List<ValueRule>();
        foreach (var name in type.EnumerateArray())
        {
            if (name.ValueKind != JsonValueKind.String) throw new JsonSchemaException(path + "/type", "'type' entries must be strings");
            alternatives.Add(CompileType(schema, name.GetString()!, path));
        }
        return Union(alternatives, path + "/type");
    }

    private static string InferType(JsonElement schema) =>
        schema.TryGetProperty("properties", out _) ? "object" : schema.TryGetProperty("items", out _) ? "array" : "any";

    private ValueRule CompileType(JsonElement schema, string type, string path) => type switch
    {
        "object" => CompileObject(schema, path),
        "array" => new ArrayRule(
            schema.TryGetProperty("items", out var items) ? CompileNode(items, path + "/items") : UnionRule.Any,
            ReadCount(schema, "minItems", 0, path), ReadCount(schema, "maxItems", int.MaxValue, path)),
        "string" => new StringRule(ReadCount(schema, "minLength", 0, path), ReadCount(schema, "maxLength", int.MaxValue, path)),
        "number" => NumberRule.Real,
        "integer" => NumberRule.Whole,
        "boolean" => LiteralRule.Boolean,
        "null" => LiteralRule.Null,
        "any" => UnionRule.Any,
        _ => throw new JsonSchemaException(path + "/type", $"unknown type '{type}'"),
    };

    private ValueRule CompileObject(JsonElement schema, string path)
    {
        var closed = false;
        if (schema.TryGetProperty("additionalProperties", out var additional))
        {
            if (additional.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw new JsonSchemaException(path + "/additionalProperties", "only true or false is supported");
            closed = additional.ValueKind == JsonValueKind.False;
        }
        var required = new HashSet<string>();
        if (schema.TryGetProperty("required", out var requiredList))
        {
            if (requiredList.ValueKind != JsonValueKind.Array) throw new JsonSchemaException(path + "/required", "'required' must be an array of names");
            foreach (var name in requiredList.EnumerateArray())
                required.Add(name.ValueKind == JsonValueKind.String ? name.GetString()! : throw new JsonSchemaException(path + "/required", "'required' must be an array of names"));
        }
        if (!schema.TryGetProperty("properties", out var properties))
        {
            if (required.Count > 0) throw new JsonSchemaException(path + "/required", "required properties must be declared in 'properties'");
            return closed ? new ObjectRule([], null) : new ObjectRule([], UnionRule.Any);
        }
        if (properties.ValueKind != JsonValueKind.Object) throw new JsonSchemaException(path + "/properties", "'properties' must be an object");
        var rules = new List<PropertyRule>();
        foreach (var property in properties.EnumerateObject())
            rules.Add(new PropertyRule(property.Name, CompileNode(property.Value, $"{path}/properties/{property.Name}"), required.Remove(property.Name)));
        if (required.Count > 0) throw new JsonSchemaException(path + "/required", $"required property '{required.First()}' is not declared in 'properties'");
        if (rules.Count > LiteralRule.MaxLiterals) throw new JsonSchemaException(path + "/properties", $"at most {LiteralRule.MaxLiterals} properties per object are supported");
        return new ObjectRule(rules, null);
    }

    private ValueRule CompileEnum(JsonElement values, string path)
    {
        if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0) throw new JsonSchemaException(path, "'enum' must be a non-empty array");
        var literals = values.EnumerateArray().Select(Serialize).DistinctBy(Convert.ToBase64String).ToList();
        if (literals.Count > LiteralRule.MaxLiterals) throw new JsonSchemaException(path, $"at most {LiteralRule.MaxLiterals} enum values are supported");
        return new LiteralRule(literals);
    }

    private ValueRule CompileAnyOf(JsonElement anyOf, string path)
    {
        if (anyOf.ValueKind != JsonValueKind.Array || anyOf.GetArrayLength() == 0) throw new JsonSchemaException(path, "'anyOf' must be a non-empty array of schemas");
        var alternatives = anyOf.EnumerateArray().Select((alternative, i) => CompileNode(alternative, $"{path}/{i}")).ToList();
        return Union(alternatives, path);
    }

    private ValueRule CompileReference(JsonElement reference, string path)
    {
        var target = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        var parts = target.Split('/');
        if (parts.Length != 3 || parts[0] != "#" || parts[1] is not ("$defs" or "definitions")
            || !_document.TryGetProperty(parts[1], out var definitions) || definitions.ValueKind != JsonValueKind.Object
            || !definitions.TryGetProperty(parts[2], out var definition))
            throw new JsonSchemaException(path + "/$ref", $"'{target}' is not a reference to #/$defs/NAME or #/definitions/NAME in this schema");
        if (!_resolving.Add(target)) throw new JsonSchemaException(path + "/$ref", $"recursive schemas are not supported ('{target}' refers to itself)");
        var rule = CompileNode(definition, target);
        _resolving.Remove(target);
        return rule;
    }

    private static ValueRule Union(List<ValueRule> alternatives, string path)
    {
        if (alternatives.Count == 1) return alternatives[0];
        var flattened = alternatives.SelectMany(a => a is UnionRule u ? u.Alternatives : [a]).ToList();
        var shared = UnionRule.FirstSharedStartByte(flattened);
        if (shared >= 0)
            throw new JsonSchemaException(path, $"alternatives must begin differently (e.g. string | number | null); several can start with '{(char)shared}'");
        return new UnionRule(flattened);
    }

    private static int ReadCount(JsonElement schema, string keyword, int absent, string path)
    {
        if (!schema.TryGetProperty(keyword, out var value)) return absent;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var count) || count < 0)
            throw new JsonSchemaException($"{path}/{keyword}", $"'{keyword}' must be a non-negative integer");
        var min = keyword.StartsWith("max", StringComparison.Ordinal) ? ReadCount(schema, "min" + keyword[3..], 0, path) : 0;
        if (count < min) throw new JsonSchemaException($"{path}/{keyword}", $"'{keyword}' is below 'min{keyword[3..]}'");
        return count;
    }

    private static byte[] Serialize(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CompactJson)) value.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
