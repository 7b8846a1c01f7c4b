namespace ChatEngine.TestData;

/// <summary>
/// Locates test inputs. The full golden data lives in <c>../shared</c> beside the repository (always there in CI);
/// a small subset is bundled in <c>tests/data</c> so a fresh clone still proves correctness.
/// </summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The <c>../shared</c> folder, or null when this clone has none beside it.</summary>
    public static string? SharedDir { get; } = FindShared();

    public static bool HasShared => SharedDir is not null;

    public static string BundledDir => Path.Combine(RepoRoot, "tests", "data");

    /// <summary>A model file: from ../shared/models, else from the bundled subset; throws when neither has it.</summary>
    public static string Model(string fileName) => Resolve("models", fileName);

    /// <summary>A golden file (JSON, story.txt ...): from ../shared/golden, else from the bundled subset.</summary>
    public static string Golden(string fileName) => Resolve("golden", fileName);

    /// <summary>A file under ../shared (vocab/, templates/ ...); only call from tests marked [SharedFact]/[SharedTheory].</summary>
    public static string Shared(params string[] parts) =>
        Path.Combine([SharedDir ?? throw new InvalidOperationException(SkipMessage), .. parts]);

    public static bool IsAvailable(string folder, string fileName) =>
        (SharedDir is not null && File.Exists(Path.Combine(SharedDir, folder, fileName)))
        || File.Exists(Path.Combine(BundledDir, folder, fileName));

    public const string SkipMessage = "../shared (llama.cpp golden data) is not beside this clone: full golden suite skipped";

    private static string Resolve(string folder, string fileName)
    {
        if (SharedDir is not null)
        {
            var shared = Path.Combine(SharedDir, folder, fileName);
            if (File.Exists(shared)) return shared;
        }
        var bundled = Path.Combine(BundledDir, folder, fileName);
        if (File.Exists(bundled)) return bundled;
        throw new FileNotFoundException($"{folder}/{fileName} is neither in ../shared nor in tests/data", fileName);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChatEngine.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ChatEngine.sln not found above " + AppContext.BaseDirectory);
    }

    private static string? FindShared()
    {
        var env = Environment.GetEnvironmentVariable("CHATENGINE_SHARED");
        var dir = !string.IsNullOrEmpty(env) ? env : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        return Directory.Exists(Path.Combine(dir, "golden")) ? dir : null;
    }
}
