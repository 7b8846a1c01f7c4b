using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatEngine.Runtime.Tests.Constraints;

/// <summary>Random schemas in the supported subset (bounded strings and arrays so every document can end), with
/// random documents written by walking a grammar cursor byte by byte.</summary>
public static class RandomSchemas
{
    private static readonly string[] Names = ["name", "age", "tags", "id", "ok", "kind", "x", "value", "über", "a\"b", "items", ""];

    public static JsonElement Object(Random random, int depth = 0)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var name in Names.OrderBy(_ => random.Next()).Take(random.Next(1, 5)))
        {
            properties[name] = Node(random, depth + 1);
            if (random.Next(3) > 0) required.Add(name);
        }
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
        if (random.Next(2) == 0) schema["additionalProperties"] = false;
        return JsonSerializer.SerializeToElement(schema);
    }

    private static JsonNode Node(Random random, int depth)
    {
        var choice = random.Next(depth >= 3 ? 9 : 11);
        switch (choice)
        {
            case 0:
                var min = random.Next(3);
                return new JsonObject { ["type"] = "string", ["minLength"] = min, ["maxLength"] = min + random.Next(12) };
            case 1: return new JsonObject { ["type"] = "number" };
            case 2: return new JsonObject { ["type"] = "integer" };
            case 3: return new JsonObject { ["type"] = "boolean" };
            case 4: return new JsonObject { ["type"] = "null" };
            case 5: return new JsonObject { ["enum"] = new JsonArray("red", "green", 3, 30, 3.5, null, "ré\n") };
            case 6: return new JsonObject { ["const"] = new JsonObject { ["k"] = new JsonArray(1, "two") } };
            case 7: return new JsonObject { ["type"] = new JsonArray("integer", "null") };
            case 8: return new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "string", ["maxLength"] = 5 }, new JsonObject { ["type"] = "boolean" }) };
            case 9:
                var minItems = random.Next(2);
                return new JsonObject { ["type"] = "array", ["items"] = Node(random, depth + 1), ["minItems"] = minItems, ["maxItems"] = minItems + random.Next(3) };
            default:
                return JsonNode.Parse(Object(random, depth).GetRawText())!;
        }
    }

    /// <summary>Picks uniformly among the bytes the cursor allows until the document is complete (then stops with
    /// probability 1/2 at each accepting point), at each step with probability <paramref name="towardsEnd"/> only among
    /// the bytes that bring the end closest; null when it has not ended after <paramref name="maxBytes"/>.
    /// Checks at every step that <see cref="ChatEngine.Runtime.Constraints.JsonCursor.MinimumToFinish"/> is the true
    /// shortest completion: 0 exactly when complete, and otherwise some byte lowers it by one and none by more.</summary>
    public static byte[]? Walk(ChatEngine.Runtime.Constraints.JsonGrammar grammar, Random random, int maxBytes = 4000, double towardsEnd = 0)
    {
        var cursor = ChatEngine.Runtime.Constraints.JsonCursor.Start(grammar);
        var bytes = new List<byte>();
        var options = new List<(byte, ChatEngine.Runtime.Constraints.JsonCursor)>(256);
        while (bytes.Count < maxBytes)
        {
            if (cursor.IsFinished || cursor.IsAccepting && random.Next(2) == 0) return [.. bytes];
            options.Clear();
            var rest = cursor.MinimumToFinish;
            var closest = int.MaxValue;
            for (var b = 0; b < 256; b++)
            {
                if (!cursor.TryAdvance((byte)b, out var next)) continue;
                options.Add(((byte)b, next));
                closest = Math.Min(closest, next.MinimumToFinish);
            }
            var prefix = System.Text.Encoding.UTF8.GetString([.. bytes]);
            if (options.Count == 0) throw new InvalidOperationException($"dead end after '{prefix}'");
            if ((rest == 0) != cursor.IsAccepting || rest > 0 && closest != rest - 1)
                throw new InvalidOperationException($"after '{prefix}' the rest is {rest} (accepting: {cursor.IsAccepting}) but the best byte leaves {closest}");
            if (random.NextDouble() < towardsEnd) options.RemoveAll(o => o.Item2.MinimumToFinish != closest);
            var (chosen, after) = options[random.Next(options.Count)];
            bytes.Add(chosen);
            cursor = after;
        }
        return null;
    }
}
