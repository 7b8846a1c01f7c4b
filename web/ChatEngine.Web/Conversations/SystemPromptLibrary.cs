namespace ChatEngine.Web.Conversations;

/// <summary>The selectable default system prompts: one <c>*.txt</c> file each, named after the file.</summary>
public sealed class SystemPromptLibrary(string directory)
{
    private readonly Lazy<IReadOnlyList<SystemPrompt>> _prompts = new(() => Load(directory));

    public IReadOnlyList<SystemPrompt> Prompts => _prompts.Value;

    private static List<SystemPrompt> Load(string directory) => !Directory.Exists(directory)
        ? []
        : [.. Directory.EnumerateFiles(directory, "*.txt")
            .Order(StringComparer.Ordinal)
            .Select(path => new SystemPrompt(Path.GetFileNameWithoutExtension(path).Replace('-', ' '), File.ReadAllText(path).Trim()))];
}

public sealed record SystemPrompt(string Name, string Text);
