using System.Text.RegularExpressions;

namespace ChatEngine.ModelStore;

/// <summary>Picks one GGUF file among a repository's files by exact name or by quantization label.</summary>
public static class FileSelector
{
    public const string GgufExtension = ".gguf";

    /// <summary>
    /// True when <paramref name="path"/> is the selector (with or without <c>.gguf</c>) or contains it as a whole word,
    /// so <c>Q4_K</c> matches <c>model.Q4_K.gguf</c> but not <c>model.Q4_K_M.gguf</c>.
    /// </summary>
    public static bool Matches(string path, string selector)
    {
        var name = Path.GetFileName(path);
        if (string.Equals(path, selector, StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, selector, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileNameWithoutExtension(name), selector, StringComparison.OrdinalIgnoreCase)) return true;
        return Regex.IsMatch(name, $"(?<![A-Za-z0-9]){Regex.Escape(selector)}(?![A-Za-z0-9_])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>The one <c>.gguf</c> file the selector names (or the only one when it is null); otherwise a clear error listing them.</summary>
    public static string Select(IReadOnlyList<string> files, string? selector, string where)
    {
        var ggufs = files.Where(f => f.EndsWith(GgufExtension, StringComparison.OrdinalIgnoreCase)).ToList();
        if (ggufs.Count == 0) throw new ModelSelectionException($"{where} has no .gguf file");
        var exact = selector is null ? [] : ggufs.Where(f => string.Equals(f, selector, StringComparison.OrdinalIgnoreCase)).ToList();
        var matching = selector is null ? ggufs : exact.Count == 1 ? exact : ggufs.Where(f => Matches(f, selector)).ToList();
        return matching.Count switch
        {
            1 => matching[0],
            0 => throw new ModelSelectionException($"no .gguf file in {where} matches '{selector}'; it has: {string.Join(", ", ggufs)}"),
            _ => throw new ModelSelectionException(
                $"{(selector is null ? $"{where} has several .gguf files" : $"'{selector}' matches several files in {where}")}; " +
                $"choose one with :FILE or :QUANT: {string.Join(", ", matching)}"),
        };
    }
}

/// <summary>A repository or store entry could not be narrowed down to exactly one model file.</summary>
public sealed class ModelSelectionException(string message) : Exception(message);
