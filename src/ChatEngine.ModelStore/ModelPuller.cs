namespace ChatEngine.ModelStore;

/// <summary><c>pull OWNER/REPO[:FILE|:QUANT]</c>: picks the file from the hub's listing and downloads it into the store.</summary>
public sealed class ModelPuller(HubClient hub, LocalModelStore store)
{
    /// <summary>The repository file a spec means: the named file as is, else the one <c>.gguf</c> the selector picks.</summary>
    public async Task<string> ChooseFileAsync(ModelSpec spec, CancellationToken cancellation = default)
    {
        if (spec.Selector is not null && spec.Selector.EndsWith(FileSelector.GgufExtension, StringComparison.OrdinalIgnoreCase)) return spec.Selector;
        var files = await hub.ListFilesAsync(spec.Repository, cancellation);
        return FileSelector.Select(files, spec.Selector, spec.Repository);
    }

    public async Task<DownloadResult> PullAsync(ModelSpec spec, IProgress<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        var file = await ChooseFileAsync(spec, cancellation);
        var destination = store.PathOf(spec.Repository, file);
        if (File.Exists(destination)) return new DownloadResult(destination, new FileInfo(destination).Length, 0, null, AlreadyStored: true);
        return await ResumableDownload.RunAsync(hub, hub.ResolveUrl(spec.Repository, file), destination, progress, cancellation);
    }
}
