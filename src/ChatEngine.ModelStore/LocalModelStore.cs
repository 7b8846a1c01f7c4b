namespace ChatEngine.ModelStore;

/// <summary>
/// The folder pulled models live in: <c>CHATENGINE_MODELS</c>, else <c>~/.cache/chatengine</c>, laid out as
/// <c>OWNER/REPO/FILE</c>. Store names are resolved as <see cref="Resolve"/> describes.
/// </summary>
public sealed class LocalModelStore(string root)
{
    public const string RootVariable = "CHATENGINE_MODELS";

    public string Root { get; } = Path.GetFullPath(root);

    public static LocalModelStore FromEnvironment()
    {
        var configured = Environment.GetEnvironmentVariable(RootVariable);
        return new LocalModelStore(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "chatengine")
            : configured);
    }

    public string PathOf(string repository, string file)
    {
        var path = Path.GetFullPath(Path.Combine(Root, repository, file));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{repository}/{file}' would be stored outside {Root}", nameof(file));
        return path;
    }

    /// <summary>Complete <c>.gguf</c> files (partial downloads are not listed), sorted by name.</summary>
    public IReadOnlyList<StoredModel> List()
    {
        if (!Directory.Exists(Root)) return [];
        return [.. Directory.EnumerateFiles(Root, "*" + FileSelector.GgufExtension, SearchOption.AllDirectories)
            .Select(path => (path, parts: Path.GetRelativePath(Root, path).Split(Path.DirectorySeparatorChar)))
            .Where(e => e.parts.Length >= 3)
            .Select(e => new StoredModel($"{e.parts[0]}/{e.parts[1]}", string.Join('/', e.parts[2..]), e.path, new FileInfo(e.path).Length))
            .OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The stored model a name means: <c>OWNER/REPO/FILE</c>, <c>OWNER/REPO:FILE|QUANT</c>, <c>OWNER/REPO</c> when it
    /// holds one file, or a bare file name (with or without <c>.gguf</c>) when only one repository has it.
    /// </summary>
    public StoredModel Resolve(string name)
    {
        var models = List();
        var byFullName = models.Where(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(m.Name, name + FileSelector.GgufExtension, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byFullName.Count == 1) return byFullName[0];

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        var repository = colon >= 0 ? name[..colon] : name;
        var inRepository = models.Where(m => string.Equals(m.Repository, repository, StringComparison.OrdinalIgnoreCase)).ToList();
        if (inRepository.Count > 0)
        {
            var file = FileSelector.Select([.. inRepository.Select(m => m.File)], colon >= 0 ? name[(colon + 1)..] : null, $"{repository} in the store");
            return inRepository.Single(m => m.File == file);
        }

        var byFileName = models.Where(m => FileSelector.Matches(m.File, name) && IsWholeName(m.File, name)).ToList();
        return byFileName.Count switch
        {
            1 => byFileName[0],
            0 => throw new FileNotFoundException($"model '{name}' is neither a file nor in the store ({Root}): {Known(models)}", name),
            _ => throw new ModelSelectionException($"'{name}' names several stored models: {string.Join(", ", byFileName.Select(m => m.Name))}"),
        };
    }

    /// <summary>Deletes a stored model (and any partial download beside it) and the folders it leaves empty.</summary>
    public StoredModel Remove(string name)
    {
        var model = Resolve(name);
        File.Delete(model.Path);
        ResumableDownload.Restart(model.Path);
        for (var dir = Path.GetDirectoryName(model.Path); dir is not null && dir != Root && !Directory.EnumerateFileSystemEntries(dir).Any(); dir = Path.GetDirectoryName(dir))
            Directory.Delete(dir);
        return model;
    }

    private static string Known(IReadOnlyList<StoredModel> models) => models.Count == 0
        ? "the store is empty ('chatengine pull OWNER/REPO' fetches a model)"
        : $"the store holds {string.Join(", ", models.Take(MaxNamesListed).Select(m => m.Name))}{(models.Count > MaxNamesListed ? $" and {models.Count - MaxNamesListed} more ('chatengine list')" : "")}";

    private const int MaxNamesListed = 10;

    private static bool IsWholeName(string file, string name)
    {
        var fileName = Path.GetFileName(file);
        return string.Equals(fileName, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileNameWithoutExtension(fileName), name, StringComparison.OrdinalIgnoreCase);
    }
}
