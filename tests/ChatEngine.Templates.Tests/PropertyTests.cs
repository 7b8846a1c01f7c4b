using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace ChatEngine.Templates.Tests;

/// <summary>Properties over generated inputs: printing is the identity on strings, tojson round-trips through System.Text.Json.</summary>
public sealed class PropertyTests
{
    private static readonly ChatTemplate PrintS = ChatTemplate.Parse("{{ s }}");
    private static readonly ChatTemplate DumpV = ChatTemplate.Parse("{{ v|tojson }}");
    private static readonly ChatTemplate DumpVIndented = ChatTemplate.Parse("{{ v|tojson(indent=2) }}");

    private static string Render(ChatTemplate template, string name, JsonNode? value) =>
        template.Render(new JsonArray(), new ChatRenderOptions { ExtraVariables = new Dictionary<string, JsonNode?> { [name] = value } });

    [Fact]
    public void Printing_a_string_variable_returns_it_unchanged()
    {
        var strings = ArbMap.Default.ArbFor<string>().Filter(s => s is not null);
        Prop.ForAll(strings, s => Render(PrintS, "s", JsonValue.Create(s)) == s).QuickCheckThrowOnFailure();
    }

    private static Gen<JsonNode?> Leaf() => Gen.OneOf(
        ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => (JsonNode?)JsonValue.Create(s)),
        ArbMap.Default.GeneratorFor<long>().Select(l => (JsonNode?)JsonValue.Create(l)),
        ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)JsonValue.Create(b)),
        ArbMap.Default.GeneratorFor<double>().Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Constant((JsonNode?)null));

    private static Gen<JsonNode?> Tree(int size) => size <= 1
        ? Leaf()
        : Gen.OneOf(
            Leaf(),
            Tree(size / 3).ListOf().Select(items => (JsonNode?)new JsonArray([.. items])),
            Gen.Zip(ArbMap.Default.GeneratorFor<string>().Where(k => k is not null), Tree(size / 3)).ListOf().Select(pairs =>
            {
                var obj = new JsonObject();
                foreach (var (key, value) in pairs) obj[key] = value;
                return (JsonNode?)obj;
            }));

    [Fact]
    public void Tojson_output_parses_back_to_the_same_value()
    {
        Prop.ForAll(Gen.Sized(Tree).ToArbitrary(), value =>
        {
            var expected = JsonNode.Parse(value?.ToJsonString() ?? "null");
            return JsonNode.DeepEquals(expected, JsonNode.Parse(Render(DumpV, "v", value)))
                   && JsonNode.DeepEquals(expected, JsonNode.Parse(Render(DumpVIndented, "v", value)));
        }).QuickCheckThrowOnFailure();
    }
}
