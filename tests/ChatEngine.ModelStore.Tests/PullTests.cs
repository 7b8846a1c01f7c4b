using System.Net;
using Xunit;

namespace ChatEngine.ModelStore.Tests;

/// <summary>End to end: <see cref="ModelPuller"/> against <see cref="FakeHub"/> on 127.0.0.1, into a temporary store.</summary>
public sealed class PullTests : IAsyncLifetime, IDisposable
{
    private const string Repository = "tiny-org/tiny-GGUF";
    private readonly string _root = Directory.CreateTempSubdirectory("chatengine-store-").FullName;
    private readonly byte[] _q4 = RandomBytes(1_000_000, seed: 1);
    private readonly byte[] _q8 = RandomBytes(200_000, seed: 2);
    private FakeHub _hub = null!;
    private string _q4Sha = "";

    public async Task InitializeAsync()
    {
        _hub = await FakeHub.StartAsync();
        _q4Sha = _hub.Add(Repository, "tiny.Q4_K_M.gguf", _q4);
        _hub.Add(Repository, "tiny.Q8_0.gguf", _q8);
        _hub.Add(Repository, "README.md", "# tiny"u8.ToArray());
    }

    private LocalModelStore Store => new(_root);

    private (ModelPuller Puller, HubClient Hub) Puller(string? token = null)
    {
        var client = new HubClient(new HubOptions { Endpoint = _hub.Endpoint, Token = token });
        return (new ModelPuller(client, Store), client);
    }

    [Fact]
    public async Task A_quant_is_resolved_from_the_listing_downloaded_through_the_redirect_and_verified()
    {
        var (puller, client) = Puller(token: "hf_secret");
        using var _ = client;
        var progress = new List<DownloadProgress>();

        var result = await puller.PullAsync(ModelSpec.Parse($"{Repository}:q4_k_m"), new SynchronousProgress(progress.Add));

        Assert.Equal(Store.PathOf(Repository, "tiny.Q4_K_M.gguf"), result.Path);
        Assert.Equal(_q4, await File.ReadAllBytesAsync(result.Path));
        Assert.Equal(_q4Sha, result.VerifiedSha256);
        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(_q4.Length, progress[^1].Received);
        Assert.All(progress, p => Assert.Equal(_q4.Length, p.Total));
        Assert.Equal("Bearer hf_secret", Assert.Single(_hub.HubAuthorizations));
        Assert.Null(Assert.Single(_hub.CdnRequests).Authorization);
        Assert.False(File.Exists(ResumableDownload.PartialPath(result.Path)));
    }

    [Fact]
    public async Task An_interrupted_download_resumes_with_a_range_request_and_keeps_the_first_bytes()
    {
        var (puller, client) = Puller();
        using var _ = client;
        _hub.AbortNextAfter = 300_000;

        await Assert.ThrowsAnyAsync<Exception>(() => puller.PullAsync(ModelSpec.Parse($"{Repository}:tiny.Q4_K_M.gguf")));
        var destination = Store.PathOf(Repository, "tiny.Q4_K_M.gguf");
        Assert.False(File.Exists(destination));
        // The abort may also drop bytes still in flight: whatever reached the disk is kept and resumed from.
        var kept = new FileInfo(ResumableDownload.PartialPath(destination)).Length;
        Assert.InRange(kept, 1, 300_000);
        Assert.Empty(Store.List());

        var result = await puller.PullAsync(ModelSpec.Parse($"{Repository}:Q4_K_M"));

        Assert.Equal(kept, result.ResumedFrom);
        Assert.Equal(_q4Sha, result.VerifiedSha256);
        Assert.Equal(_q4, await File.ReadAllBytesAsync(destination));
        var requests = _hub.CdnRequests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.True(requests[0].Aborted);
        Assert.Equal($"bytes={kept}-", requests[1].Range);
        Assert.Equal($"\"{_q4Sha}\"", requests[1].IfRange);
        Assert.Equal(_q4.Length - kept, requests[1].BytesSent);
    }

    [Fact]
    public async Task A_stalled_download_times_out_instead_of_hanging_and_resumes_later()
    {
        using var client = new HubClient(new HubOptions { Endpoint = _hub.Endpoint, StallTimeout = TimeSpan.FromMilliseconds(500) });
        var puller = new ModelPuller(client, Store);
        _hub.StallNextAfter = 100_000;

        var error = await Assert.ThrowsAsync<TimeoutException>(() => puller.PullAsync(ModelSpec.Parse($"{Repository}:Q4_K_M")));
        var (patient, patientClient) = Puller();
        using var _ = patientClient;
        var result = await patient.PullAsync(ModelSpec.Parse($"{Repository}:Q4_K_M"));

        Assert.Contains("run the same pull again to resume", error.Message);
        Assert.InRange(result.ResumedFrom, 1, 100_000);
        Assert.Equal(_q4, await File.ReadAllBytesAsync(result.Path));
    }

    [Fact]
    public async Task A_partial_file_whose_validator_no_longer_matches_is_downloaded_again_from_the_start()
    {
        var (puller, client) = Puller();
        using var _ = client;
        var destination = Store.PathOf(Repository, "tiny.Q8_0.gguf");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        await File.WriteAllBytesAsync(ResumableDownload.PartialPath(destination), RandomBytes(5000, seed: 9));
        await File.WriteAllTextAsync(ResumableDownload.ValidatorPath(destination), "\"an-older-revision\"");

        var result = await puller.PullAsync(ModelSpec.Parse($"{Repository}:Q8_0"));

        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(_q8, await File.ReadAllBytesAsync(destination));
        Assert.Equal("\"an-older-revision\"", Assert.Single(_hub.CdnRequests).IfRange);
    }

    [Fact]
    public async Task A_checksum_mismatch_is_a_typed_error_and_nothing_is_kept()
    {
        var (puller, client) = Puller();
        using var _ = client;
        _hub.AnnouncedShaOverride = new string('a', 64);

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => puller.PullAsync(ModelSpec.Parse($"{Repository}:Q8_0")));

        Assert.Equal(new string('a', 64), error.Expected);
        Assert.Contains("does not match", error.Message);
        var destination = Store.PathOf(Repository, "tiny.Q8_0.gguf");
        Assert.False(File.Exists(destination));
        Assert.False(File.Exists(ResumableDownload.PartialPath(destination)));
    }

    [Theory]
    [InlineData("nobody/nothing-GGUF:Q4_K_M", "/api/models/nobody/nothing-GGUF")]
    [InlineData("tiny-org/tiny-GGUF:missing.gguf", "/resolve/main/missing.gguf")]
    public async Task A_missing_repository_or_file_is_a_clear_404(string spec, string urlPart)
    {
        var (puller, client) = Puller();
        using var _ = client;

        var error = await Assert.ThrowsAsync<HubRequestException>(() => puller.PullAsync(ModelSpec.Parse(spec)));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Contains(urlPart, error.Url.AbsoluteUri);
        Assert.StartsWith("not found on the hub:", error.Message);
    }

    [Fact]
    public async Task Several_ggufs_and_no_selector_asks_for_one_and_lists_them()
    {
        var (puller, client) = Puller();
        using var _ = client;

        var error = await Assert.ThrowsAsync<ModelSelectionException>(() => puller.PullAsync(ModelSpec.Parse(Repository)));

        Assert.Contains("tiny.Q4_K_M.gguf", error.Message);
        Assert.Contains("tiny.Q8_0.gguf", error.Message);
        Assert.DoesNotContain("README.md", error.Message);
    }

    [Fact]
    public async Task Pulled_models_are_listed_resolved_by_several_names_and_removed()
    {
        var (puller, client) = Puller();
        using var _ = client;
        await puller.PullAsync(ModelSpec.Parse($"{Repository}:Q4_K_M"));
        await puller.PullAsync(ModelSpec.Parse($"{Repository}:Q8_0"));
        var again = await puller.PullAsync(ModelSpec.Parse($"{Repository}:Q8_0"));

        Assert.True(again.AlreadyStored);
        Assert.Equal(2, _hub.CdnRequests.Count);
        var listed = Store.List();
        Assert.Equal([$"{Repository}/tiny.Q4_K_M.gguf", $"{Repository}/tiny.Q8_0.gguf"], listed.Select(m => m.Name));
        Assert.Equal([_q4.Length, _q8.Length], listed.Select(m => m.Length));
        foreach (var name in new[] { $"{Repository}/tiny.Q8_0.gguf", $"{Repository}:Q8_0", $"{Repository}/tiny.Q8_0", "tiny.Q8_0.gguf", "tiny.Q8_0" })
            Assert.Equal(listed[1].Path, Store.Resolve(name).Path);
        Assert.Throws<ModelSelectionException>(() => Store.Resolve(Repository));
        Assert.Throws<FileNotFoundException>(() => Store.Resolve("other.gguf"));

        Store.Remove($"{Repository}:Q4_K_M");
        Store.Remove("tiny.Q8_0");

        Assert.Empty(Store.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class SynchronousProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
