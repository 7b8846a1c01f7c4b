namespace ChatEngine.ModelStore;

/// <summary>A complete model file in the store: <c>ROOT/OWNER/REPO/FILE</c>, named <c>OWNER/REPO/FILE</c>.</summary>
public sealed record StoredModel(string Repository, string File, string Path, long Length)
{
    public string Name => $"{Repository}/{File}";
}
