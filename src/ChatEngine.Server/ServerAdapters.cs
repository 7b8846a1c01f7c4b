using System.Text.Json;
using ChatEngine.Runtime;
using ChatEngine.Runtime.Lora;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server;

/// <summary>
/// The LoRA adapters loaded at start-up (<c>serve --lora FILE[:SCALE]</c>), with llama-server's semantics: an adapter's
/// id is its position on the command line; the global scales (settable through <c>POST /lora-adapters</c>) apply to
/// requests without a <c>lora</c> field; a list <c>[{id, scale}]</c> (global or per request) sets the scales of the
/// adapters it names and 0 for every other one.
/// </summary>
internal sealed class ServerAdapters : IDisposable
{
    private readonly IReadOnlyList<ScaledLoraAdapter> _loaded;
    private volatile LoraSelection _global;

    private ServerAdapters(IReadOnlyList<ScaledLoraAdapter> loaded)
    {
        _loaded = loaded;
        _global = new LoraSelection(loaded);
    }

    public static ServerAdapters Load(IEnumerable<LoraAdapterSpec> specs, LanguageModel model) => new(LoraAdapterSpec.LoadAll(specs, model));

    /// <summary>What a request without a <c>lora</c> field is evaluated with.</summary>
    public LoraSelection Global => _global;

    /// <summary>The request's own <c>lora</c> list when it has one, else the global selection.</summary>
    public LoraSelection ForRequest(RequestBody body) => body.TryGet("lora", out var list) ? Parse(list, "lora") : Global;

    /// <summary><c>POST /lora-adapters</c>: replaces the global scales.</summary>
    public void SetGlobal(JsonElement list) => _global = Parse(list, "body");

    /// <summary><c>GET /lora-adapters</c>: <c>[{id, path, scale}]</c> at the global scales.</summary>
    public void Write(Utf8JsonWriter json)
    {
        var global = _global.Adapters;
        json.WriteStartArray();
        for (var id = 0; id < _loaded.Count; id++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("path", _loaded[id].Adapter.Path);
            json.WriteNumber("scale", global[id].Scale);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>Reads <c>[{"id": N, "scale": S}, ...]</c>; the selection always lists every loaded adapter, at 0 when not named.</summary>
    private LoraSelection Parse(JsonElement list, string param)
    {
        if (list.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType(param, "an array of objects with 'id' and 'scale'");
        var scales = new float[_loaded.Count];
        var index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var at = $"{param}[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object) throw RequestBody.WrongType(at, "an object with 'id' and 'scale'");
            if (!entry.TryGetProperty("id", out var idElement)) throw ApiException.InvalidRequest($"'{at}.id' is required", $"{at}.id", "missing_required_parameter");
            var id = RequestBody.ReadInteger(idElement, $"{at}.id");
            if (id < 0 || id >= _loaded.Count)
                throw ApiException.InvalidRequest(
                    $"invalid adapter id {id}: this server has {_loaded.Count} LoRA adapter(s) (ids 0..{_loaded.Count - 1}, see GET /lora-adapters)", $"{at}.id", "invalid_value");
            var scale = 0.0;
            if (entry.TryGetProperty("scale", out var scaleElement) && scaleElement.ValueKind != JsonValueKind.Null
                && (scaleElement.ValueKind != JsonValueKind.Number || !scaleElement.TryGetDouble(out scale) || !float.IsFinite((float)scale)))
                throw RequestBody.WrongType($"{at}.scale", "a finite number");
            scales[id] = (float)scale;
        }
        return new LoraSelection(_loaded.Select((a, i) => a with { Scale = scales[i] }));
    }

    public void Dispose()
    {
        foreach (var adapter in _loaded) adapter.Adapter.Dispose();
    }
}
