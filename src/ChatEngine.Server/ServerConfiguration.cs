using System.Collections;
using System.ComponentModel;
using System.Reflection;
using ChatEngine.Server.Protocol;

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
        // The binder's own messages name .NET types and BinderOptions; each value is checked first to say it plainly.
        foreach (var setting in configuration.GetChildren())
        {
            var property = typeof(ServerOptions).GetProperty(setting.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                if (strict) throw new ArgumentException($"{source}: unknown setting '{ErrorText.Excerpt(setting.Key)}'; the settings are {string.Join(", ", SettingNames)}");
                continue;
            }
            if (setting.Value is { } text && ValueForm.Describe(property.PropertyType) is { } expected && !Converts(text, property.PropertyType))
                throw new ArgumentException($"{source}: '{property.Name}' is '{ErrorText.Excerpt(text)}', which is not {expected}");
        }
        try
        {
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = strict);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"{source}: {e.Message}", e);
        }
    }

    private static IEnumerable<string> SettingNames => typeof(ServerOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite).Select(p => p.Name);

    private static bool Converts(string text, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            TypeDescriptor.GetConverter(target).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string FirstLine(string message) => message.Split(" (Parameter", 2)[0].Split('\n')[0].Trim();
}
