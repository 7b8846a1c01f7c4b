using System.CommandLine;

namespace ChatEngine.Cli.Commands;

/// <summary>Options several verbs share, created fresh per command (an option instance belongs to one command).</summary>
internal static class CommonOptions
{
    public static Option<FileInfo> Model() => new("--model", "-m")
    {
        Description = "path of a GGUF model file",
        Required = true,
    };

    public static Option<int> Threads() => new("--threads", "-t")
    {
        Description = "compute threads (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Validators = { result => { if (result.GetValueOrDefault<int>() < 1) result.AddError("--threads must be at least 1"); } },
    };

    public static Option<bool> Json() => new("--json") { Description = "print one JSON object instead of text" };

    public static Option<int> Positive(string name, string? alias, string description, int defaultValue) => new(name, alias is null ? [] : [alias])
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { result => { if (result.GetValueOrDefault<int>() < 1) result.AddError($"{name} must be at least 1"); } },
    };
}
