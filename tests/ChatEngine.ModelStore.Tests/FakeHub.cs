using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ChatEngine.ModelStore.Tests;

/// <summary>
/// A Kestrel server on 127.0.0.1 that answers the way the Hugging Face Hub does: <c>/api/models/{repo}</c> lists
/// siblings, <c>/{repo}/resolve/{rev}/{file}</c> redirects (302, with <c>X-Linked-Etag</c> = SHA-256) to a CDN-like
/// <c>http://localhost:PORT/cdn/{sha}</c> path that serves the bytes with an ETag, range requests and If-Range.
/// </summary>
public sealed class FakeHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, Dictionary<string, byte[]>> _repos = [];
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new();

    private FakeHub(WebApplication app) => _app = app;

    /// <summary>Every request to the CDN path: its Range and If-Range headers and the bytes it was about to send.</summary>
    public ConcurrentQueue<(string? Range, string? IfRange, string? Authorization, long BytesSent, bool Aborted)> CdnRequests { get; } = new();

    public ConcurrentQueue<string?> HubAuthorizations { get; } = new();

    /// <summary>When set, the next CDN response is cut off (connection aborted) after this many bytes.</summary>
    public long? AbortNextAfter { get; set; }

    /// <summary>When set, the next CDN response sends this many bytes and then nothing more (the connection stays open).</summary>
    public long? StallNextAfter { get; set; }

    /// <summary>When set, the hub announces this SHA-256 instead of the real one.</summary>
    public string? AnnouncedShaOverride { get; set; }

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<FakeHub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var hub = new FakeHub(builder.Build());
        hub.Map();
        await hub._app.StartAsync();
        hub.Endpoint = new Uri(hub._app.Urls.First());
        return hub;
    }

    public string Add(string repository, string file, byte[] content)
    {
        if (!_repos.TryGetValue(repository, out var files)) _repos[repository] = files = [];
        files[file] = content;
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        _blobs[sha] = content;
        return sha;
    }

    private void Map()
    {
        _app.MapGet("/api/models/{owner}/{name}", (string owner, string name) =>
            _repos.TryGetValue($"{owner}/{name}", out var files)
                ? Results.Json(new { id = $"{owner}/{name}", siblings = files.Keys.Select(f => new { rfilename = f }) })
                : Results.NotFound(new { error = "Repository not found" }));

        _app.MapGet("/{owner}/{name}/resolve/{revision}/{**file}", (HttpContext context, string owner, string name, string revision, string file) =>
        {
            HubAuthorizations.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
            if (revision != "main" || !_repos.TryGetValue($"{owner}/{name}", out var files) || !files.TryGetValue(file, out var content))
                return Results.NotFound(new { error = "Entry not found" });
            var sha = Convert.ToHexStringLower(SHA256.HashData(content));
            context.Response.Headers["X-Linked-Etag"] = $"\"{AnnouncedShaOverride ?? sha}\"";
            context.Response.Headers["X-Linked-Size"] = content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // The CDN is another host name for the same server, as a token must not follow a redirect to another host.
            return Results.Redirect($"http://localhost:{context.Connection.LocalPort}/cdn/{sha}?file={Uri.EscapeDataString(file)}");
        });

        _app.MapGet("/cdn/{sha}", async (HttpContext context, string sha) =>
        {
            if (!_blobs.TryGetValue(sha, out var content)) { context.Response.StatusCode = 404; return; }
            var range = context.Request.Headers.Range.FirstOrDefault();
            var ifRange = context.Request.Headers.IfRange.FirstOrDefault();
            var etag = $"\"{sha}\"";
            long start = 0;
            if (range is not null && (ifRange is null || ifRange == etag))
            {
                start = RangeHeaderValue.Parse(range).Ranges.Single().From!.Value;
                context.Response.StatusCode = StatusCodes.Status206PartialContent;
                context.Response.Headers.ContentRange = $"bytes {start}-{content.Length - 1}/{content.Length}";
            }
            context.Response.Headers.ETag = etag;
            context.Response.Headers.AcceptRanges = "bytes";
            context.Response.ContentLength = content.Length - start;
            var abortAfter = AbortNextAfter;
            AbortNextAfter = null;
            var length = abortAfter is { } cut ? (int)Math.Min(cut, content.Length - start) : content.Length - (int)start;
            CdnRequests.Enqueue((range, ifRange, context.Request.Headers.Authorization.FirstOrDefault(), length, abortAfter is not null));
            var stallAfter = StallNextAfter;
            StallNextAfter = null;
            if (stallAfter is { } stall) length = (int)Math.Min(stall, length);
            await context.Response.Body.WriteAsync(content.AsMemory((int)start, length));
            await context.Response.Body.FlushAsync();
            if (stallAfter is not null) await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            if (abortAfter is not null) context.Abort();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
