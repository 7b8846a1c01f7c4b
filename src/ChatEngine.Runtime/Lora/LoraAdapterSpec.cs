using System.Globalization;

namespace ChatEngine.Runtime.Lora;

/// <summary>An adapter file and the scale to apply it at, as written on the command line: <c>FILE[:SCALE]</c>.</summary>
public sealed record LoraAdapterSpec(string Path, float Scale)
{
    /// <summary>
    /// <c>FILE</c> (scale 1) or <c>FILE:SCALE</c>. Only a suffix that parses as a number is a scale, so a path that
    /// itself contains ':' (C:\adapters\x.gguf) needs no escaping.
    /// </summary>
    public static LoraAdapterSpec Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("a LoRA adapter needs a file: FILE or FILE:SCALE", nameof(text));
        var colon = text.LastIndexOf(':');
        if (colon > 0 && float.TryParse(text.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale))
        {
            if (!float.IsFinite(scale)) throw new ArgumentException($"the LoRA scale in '{text}' must be a finite number", nameof(text));
            return new LoraAdapterSpec(text[..colon], scale);
        }
        return new LoraAdapterSpec(text, 1f);
    }

    /// <summary>Loads every adapter of <paramref name="specs"/> for <paramref name="model"/>; on a failure the ones already loaded are closed.</summary>
    public static IReadOnlyList<ScaledLoraAdapter> LoadAll(IEnumerable<LoraAdapterSpec> specs, LanguageModel model)
    {
        var loaded = new List<ScaledLoraAdapter>();
        try
        {
            foreach (var spec in specs) loaded.Add(new ScaledLoraAdapter(LoraAdapter.Load(spec.Path, model), spec.Scale));
            return loaded;
        }
        catch
        {
            foreach (var adapter in loaded) adapter.Adapter.Dispose();
            throw;
        }
    }

    public override string ToString() => $"{Path}:{Scale.ToString(CultureInfo.InvariantCulture)}";
}
