namespace ChatEngine.Accounts.Tests;

/// <summary>An empty data directory of its own for one test, deleted with everything in it afterwards.</summary>
public sealed class TemporaryDataDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("chatengine-accounts-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
