using System.Collections;

namespace ChatEngine.Server;

/// <summary>
/// Builds <see cref="ServerOptions"/> from, in rising precedence: the defaults, the <c>ChatEngine</c> section of a
/// JSON settings file, <c>CHATENGINE_*</c> environment variables (<c>CHATENGINE_PORT=9000</c>) and explicit values
/// (the CLI's flags), then validates it. Every error names the setting and where its value came from.
/// </summary>
public static class ServerConfiguration
{
    public const string EnvironmentPrefix = "CHATENGINE_";
    public const string SectionName = "ChatEngine";
    public const string DefaultSettingsFile = "appsettings.json";

    /// <param name="settingsFile">A JSON file that must exist, or null for <c>appsettings.json</c> in the current folder when present.</param>
    /// <param name="overrides">Setting name (as in <see cref="ServerOptions"/>) to value, for the flags given on the command line.</param>
    /// <param name="environment">The environment variables to read (default: the process's).</param>
    public static ServerOptions Load(string? settingsFile, IReadOnlyDictionary<string, string?> overrides, IDictionary? environment = null)
    {
        var options = new ServerOptions();
        var file = settingsFile ?? (File.Exists(DefaultSettingsFile) ? DefaultSettingsFile : null);
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"settings file '{file}' does not exist", file);
            var json = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(file), optional: false).Build().GetSection(SectionName);
            Bind(json, options, $"{file} ({SectionName} section)", strict: true);
        }
        var variables = (environment ?? Environment.GetEnvironmentVariables()).Cast<DictionaryEntry>()
            .Select(e => (Key: (string)e.Key, Value: (string?)e.Value))
            .Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(e => KeyValuePair.Create(e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value));
        Bind(new ConfigurationBuilder().AddInMemoryCollection(variables).Build(), options, $"environment ({EnvironmentPrefix}*)", strict: false);
        Bind(new ConfigurationBuilder().AddInMemoryCollection(overrides).Build(), options, "command line", strict: true);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            var value = e is ArgumentOutOfRangeException { ActualValue: { } actual } ? $" = {actual}" : "";
            throw new ArgumentException($"invalid setting {e.ParamName}{value}: {FirstLine(e.Message)}", e);
        }
        return options;
    }

    // Other CHATENGINE_* variables (CHATENGINE_MODELS, ...) belong to other parts, so unknown names are only errors in files and flags.
    private static void Bind(IConfiguration configuration, ServerOptions options, string source, bool strict)
    {
        try
        {
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = strict);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"{source}: {e.Message}", e);
        }
    }

    private static string FirstLine(string message) => message.Split(" (Parameter", 2)[0].Split('\n')[0].Trim();
}
