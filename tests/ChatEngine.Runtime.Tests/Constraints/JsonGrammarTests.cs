using System.Text;
using System.Text.Json;
using ChatEngine.Runtime.Constraints;
using Xunit;

namespace ChatEngine.Runtime.Tests.Constraints;

public sealed class JsonGrammarTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("0")]
    [InlineData("-0.5e+10")]
    [InlineData("123456789012345")]
    [InlineData("\"\"")]
    [InlineData("\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\uD7FF\"")]
    [InlineData("\"h\u00e9llo \u4e16\u754c \U0001F600\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("{\"a\":[1,2,{\"b\":null}],\"c\":\"d\",\"a\":false}")]
    [InlineData("[[[[]]],{}]")]
    public void Any_value_accepts_compact_json(string json) => Assert.True(JsonGrammar.AnyValue.Matches(Encoding.UTF8.GetBytes(json)), json);

    [Theory]
    [InlineData("")]
    [InlineData("{ }")]
    [InlineData("[1,]")]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData("-")]
    [InlineData("1e")]
    [InlineData("1e123")]
    [InlineData("1234567890123456")]
    [InlineData("\"unterminated")]
    [InlineData("\"bad \\x escape\"")]
    [InlineData("\"lone surrogate \\ud800\"")]
    [InlineData("\"tab\tinside\"")]
    [InlineData("tru")]
    [InlineData("{\"a\"}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1]]")]
    [InlineData("{}{}")]
    public void Any_value_rejects_invalid_or_non_compact_json(string json) => Assert.False(JsonGrammar.AnyValue.Matches(Encoding.UTF8.GetBytes(json)), json);

    [Fact]
    public void Raw_bytes_in_strings_must_be_well_formed_utf8()
    {
        Assert.False(JsonGrammar.AnyValue.Matches([(byte)'"', 0xC3, (byte)'"']));
        Assert.False(JsonGrammar.AnyValue.Matches([(byte)'"', 0x80, (byte)'"']));
        Assert.False(JsonGrammar.AnyValue.Matches([(byte)'"', 0xFF, (byte)'"']));
        Assert.True(JsonGrammar.AnyValue.Matches([(byte)'"', 0xC3, 0xA9, (byte)'"']));
    }

    [Fact]
    public void Any_object_accepts_only_objects()
    {
        Assert.True(JsonGrammar.AnyObject.Matches("{\"k\":[1,{\"x\":\"y\"}]}"u8));
        Assert.False(JsonGrammar.AnyObject.Matches("[1]"u8));
        Assert.False(JsonGrammar.AnyObject.Matches("\"s\""u8));
    }

    [Theory]
    [InlineData("{\"name\":\"Al\",\"age\":3}", true)]
    [InlineData("{\"name\":\"Al\"}", false)]
    [InlineData("{\"age\":3,\"name\":\"Al\"}", false)]
    [InlineData("{\"name\":\"Al\",\"age\":3.5}", false)]
    [InlineData("{\"name\":\"Alberto\",\"age\":3}", false)]
    [InlineData("{\"name\":\"Al\",\"nick\":null,\"age\":3}", true)]
    [InlineData("{\"name\":\"Al\",\"nick\":\"x\",\"age\":3,\"tags\":[\"a\",\"b\"]}", true)]
    [InlineData("{\"name\":\"Al\",\"age\":3,\"tags\":[\"a\",\"b\",\"c\"]}", false)]
    [InlineData("{\"name\":\"Al\",\"age\":3,\"color\":\"red\"}", true)]
    [InlineData("{\"name\":\"Al\",\"age\":3,\"color\":\"blue\"}", false)]
    [InlineData("{\"name\":\"Al\",\"age\":3,\"extra\":1}", false)]
    public void Schema_grammar_accepts_exactly_the_documents_in_declared_order(string json, bool expected)
    {
        var grammar = JsonGrammar.FromSchema(JsonDocument.Parse("""
            {"type":"object","additionalProperties":false,"required":["name","age"],"properties":{
              "name":{"type":"string","maxLength":5},
              "nick":{"type":["string","null"]},
              "age":{"type":"integer"},
              "tags":{"type":"array","items":{"type":"string"},"maxItems":2},
              "color":{"enum":["red","green"]}}}
            """).RootElement);
        Assert.Equal(expected, grammar.Matches(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void References_into_defs_are_followed()
    {
        var grammar = JsonGrammar.FromSchema(JsonDocument.Parse("""
            {"$defs":{"Point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},"required":["x","y"]}},
             "type":"array","items":{"$ref":"#/$defs/Point"}}
            """).RootElement);
        Assert.True(grammar.Matches("[{\"x\":1,\"y\":-2.5}]"u8));
        Assert.False(grammar.Matches("[{\"x\":1}]"u8));
    }

    /// <summary>Keywords that are not JSON Schema's are annotations (the specification ignores unknown keywords), as
    /// schema generators emit them (Semantic Kernel, Pydantic's x- extensions).</summary>
    [Fact]
    public void Keywords_outside_json_schema_are_ignored_as_annotations()
    {
        var grammar = JsonGrammar.FromSchema(JsonDocument.Parse("""
            {"type":"object","x-order":1,"properties":{"city":{"type":"string","condition":"any","title":"City"}},"required":["city"]}
            """).RootElement);
        Assert.True(grammar.Matches("{\"city\":\"Oslo\"}"u8));
        Assert.False(grammar.Matches("{}"u8));
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a"}""", "#/pattern")]
    [InlineData("""{"type":"string","format":"date"}""", "#/format")]
    [InlineData("""{"allOf":[{"type":"string"}]}""", "#/allOf")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"number","minimum":0}}}""", "#/properties/n/minimum")]
    [InlineData("""{"oneOf":[{"type":"string"}]}""", "#/oneOf")]
    [InlineData("""{"anyOf":[{"type":"string"},{"type":"string","maxLength":3}]}""", "#/anyOf")]
    [InlineData("""{"type":["number","integer"]}""", "#/type")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"}}""", "#/additionalProperties")]
    [InlineData("""{"type":"object","properties":{"a":{}},"required":["b"]}""", "#/required")]
    [InlineData("""{"$defs":{"N":{"type":"array","items":{"$ref":"#/$defs/N"}}},"$ref":"#/$defs/N"}""", "#/$defs/N/items/$ref")]
    [InlineData("""{"$ref":"https://example.com/schema"}""", "#/$ref")]
    [InlineData("""{"type":"string","minLength":5,"maxLength":2}""", "#/maxLength")]
    [InlineData("""{"type":"date"}""", "#/type")]
    [InlineData("""false""", "#")]
    public void Unsupported_or_invalid_schemas_are_rejected_with_the_path(string schema, string path)
    {
        var error = Assert.Throws<JsonSchemaException>(() => JsonGrammar.FromSchema(JsonDocument.Parse(schema).RootElement));
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void Random_walks_over_random_schemas_always_parse_and_validate()
    {
        var random = new Random(1234);
        var documents = 0;
        for (var s = 0; s < 150; s++)
        {
            var schema = RandomSchemas.Object(random);
            var grammar = JsonGrammar.FromSchema(schema);
            for (var w = 0; w < 4; w++)
            {
                var bytes = RandomSchemas.Walk(grammar, random);
                Assert.NotNull(bytes);
                var text = StrictUtf8.GetString(bytes);
                using var document = JsonDocument.Parse(bytes);
                Assert.True(SchemaValidator.Validate(document.RootElement, schema) is null,
                    $"{SchemaValidator.Validate(document.RootElement, schema)}\nschema: {schema}\noutput: {text}");
                documents++;
            }
        }
        Assert.Equal(600, documents);
    }

    [Fact]
    public void Random_walks_over_any_value_parse()
    {
        var random = new Random(99);
        var ended = 0;
        for (var w = 0; w < 300; w++)
        {
            if (RandomSchemas.Walk(JsonGrammar.AnyValue, random) is not { } bytes) continue;
            ended++;
            StrictUtf8.GetString(bytes);
            JsonDocument.Parse(bytes).Dispose();
        }
        Assert.True(ended > 250, $"only {ended} of 300 walks ended");
    }

    [Fact]
    public void Documents_serialized_from_valid_values_are_accepted()
    {
        var schema = JsonDocument.Parse("""
            {"type":"object","properties":{"id":{"type":"integer"},"score":{"type":"number"},"label":{"type":"string"},
              "flags":{"type":"array","items":{"type":"boolean"}},"meta":{"type":"object"}},"required":["id"]}
            """).RootElement;
        var grammar = JsonGrammar.FromSchema(schema);
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var value = new Dictionary<string, object?> { ["id"] = random.NextInt64(-999_999_999_999, 999_999_999_999) };
            if (random.Next(2) == 0) value["score"] = Math.Round((random.NextDouble() - 0.5) * 1e6, random.Next(6));
            if (random.Next(2) == 0) value["label"] = new string([.. Enumerable.Range(0, random.Next(20)).Select(_ => (char)random.Next(1, 0x3000)).Where(c => !char.IsSurrogate(c))]);
            if (random.Next(2) == 0) value["flags"] = Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(2) == 0).ToArray();
            if (random.Next(2) == 0) value["meta"] = new Dictionary<string, object> { ["k"] = new object[] { 1, "x", new Dictionary<string, object>() } };
            var json = JsonSerializer.SerializeToUtf8Bytes(value);
            Assert.True(grammar.Matches(json), Encoding.UTF8.GetString(json));
        }
    }
}
