using ChatEngine.TestData;

namespace ChatEngine.Web.Tests;

/// <summary>Where the browser tests leave screenshots for people to look at (gitignored).</summary>
public static class Artifacts
{
    public static string PathOf(string fileName)
    {
        var directory = Path.Combine(TestPaths.RepoRoot, "tests", "ChatEngine.Web.Tests", "artifacts");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, fileName);
    }
}
