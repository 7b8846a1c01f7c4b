using ChatEngine.TestData;

namespace ChatEngine.Deploy.Tests;

internal static class RepoFiles
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([TestPaths.RepoRoot, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(Path(parts));
}
