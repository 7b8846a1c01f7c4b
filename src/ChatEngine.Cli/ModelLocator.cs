using ChatEngine.ModelStore;
using ChatEngine.Server;

namespace ChatEngine.Cli;

/// <summary>What a <c>-m</c> value means: an existing file, the default model (also found beside the CLI), or a model-store name.</summary>
internal static class ModelLocator
{
    public static string Resolve(string value)
    {
        if (File.Exists(value)) return Path.GetFullPath(value);
        var bundled = Path.Combine(AppContext.BaseDirectory, ServerOptions.DefaultModelPath);
        if (value == ServerOptions.DefaultModelPath && File.Exists(bundled)) return bundled;
        if (Path.IsPathRooted(value)) return value;
        return LocalModelStore.FromEnvironment().Resolve(value).Path;
    }
}
