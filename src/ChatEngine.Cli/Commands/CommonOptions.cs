using System.CommandLine;
using ChatEngine.ModelStore;

namespace ChatEngine.Cli.Commands;

/// <summary>Options several verbs share, created fresh per command (an option instance belongs to one command).</summary>
internal static class CommonOptions
{
    /// <summary><c>-m</c>: a GGUF file path or a model-store name (see <see cref="ModelLocator"/>); store misses are parse errors.</summary>
    public static Option<FileInfo> Model() => new("--model", "-m")
    {
        Description = "GGUF file path, or a pulled model's name (see 'chatengine list')",
        Required = true,
        CustomParser = result =>
        {
            try
            {
                return new FileInfo(ModelLocator.Resolve(result.Tokens.Single().Value));
            }
            catch (Exception e) when (e is FileNotFoundException or ModelSelectionException)
            {
                result.AddError(e.Message);
                return null;
            }
        },
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
