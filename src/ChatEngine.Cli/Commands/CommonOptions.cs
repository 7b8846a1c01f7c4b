using System.CommandLine;
using ChatEngine.Accounts;
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

    /// <summary><c>--data-dir</c>: where the accounts database lives (<see cref="DataDirectory"/> when not given).</summary>
    public static Option<string> DataDir() => new("--data-dir")
    {
        Description = $"folder of the users and keys database (default: ${DataDirVariable}, else the user's local app-data folder/chatengine)",
    };

    public const string DataDirVariable = "CHATENGINE_DATADIR";

    /// <summary>The data directory when <c>--data-dir</c> is not given: <c>CHATENGINE_DATADIR</c> (what <c>serve</c> reads
    /// as its <c>DataDir</c> setting too), else the per-user one.</summary>
    public static string DataDirectory(string? given) =>
        given ?? (Environment.GetEnvironmentVariable(DataDirVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : AccountStore.DefaultDataDirectory());

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
