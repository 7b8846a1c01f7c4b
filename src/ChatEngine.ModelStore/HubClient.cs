using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ChatEngine.ModelStore;

/// <summary>
/// Talks to a Hugging Face-style hub: lists a repository's files (<c>{endpoint}/api/models/{repo}</c>) and opens
/// <c>{endpoint}/{repo}/resolve/{revision}/{file}</c>, following redirects by hand so the hub's
/// <c>X-Linked-Etag</c> (the SHA-256 of an LFS file) is seen and the token is not sent to another host.
/// </summary>
public sealed class HubClient : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly HttpClient _http;

    public HubClient(HubOptions options)
    {
        Options = options;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("chatengine/1.0");
    }

    public HubOptions Options { get; }

    /// <summary>The repository's file paths, as the hub lists them in <c>siblings[].rfilename</c>.</summary>
    public async Task<IReadOnlyList<string>> ListFilesAsync(string repository, CancellationToken cancellation = default)
    {
        var url = new Uri($"{Options.Endpoint.AbsoluteUri.TrimEnd('/')}/api/models/{repository}");
        using var response = await SendAsync(url, configure: null, cancellation);
        await using var body = await response.Content.ReadAsStreamAsync(cancellation);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellation);
        if (!json.RootElement.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{url} did not list files (no 'siblings' array)");
        return [.. siblings.EnumerateArray().Select(s => s.GetProperty("rfilename").GetString()!)];
    }

    public Uri ResolveUrl(string repository, string file) =>
        new($"{Options.Endpoint.AbsoluteUri.TrimEnd('/')}/{repository}/resolve/{Uri.EscapeDataString(Options.Revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>
    /// Sends a GET, following redirects; returns the final successful response (headers read, body not) and the
    /// SHA-256 announced on the way (<c>X-Linked-Etag</c>, else a 64-hex strong <c>ETag</c>), if any.
    /// </summary>
    public async Task<(HttpResponseMessage Response, string? Sha256)> OpenAsync(Uri url, Action<HttpRequestHeaders>? configure, CancellationToken cancellation)
    {
        string? announced = null;
        var response = await SendAsync(url, configure, cancellation, linkedEtag => announced ??= linkedEtag);
        return (response, announced ?? Sha256From(response.Headers.ETag));
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, Action<HttpRequestHeaders>? configure, CancellationToken cancellation, Action<string>? onLinkedEtag = null)
    {
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (Options.Token is not null && url.Authority == Options.Endpoint.Authority)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.Token);
            configure?.Invoke(request.Headers);
            var response = await WithStallTimeout(token => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token), url, cancellation);
            if (response.Headers.TryGetValues("X-Linked-Etag", out var linked) && Sha256From(linked.First()) is { } sha) onLinkedEtag?.Invoke(sha);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                url = location.IsAbsoluteUri ? location : new Uri(url, location);
                response.Dispose();
                continue;
            }
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) return response;
            var status = response.StatusCode;
            response.Dispose();
            throw new HubRequestException(status, url, status switch
            {
                HttpStatusCode.NotFound => $"not found on the hub: {url} (check the repository, revision and file name)",
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"{url} needs access: set HF_TOKEN to a token allowed to read it ({(int)status})",
                _ => $"{url} answered {(int)status} {status}",
            });
        }
        throw new HubRequestException(HttpStatusCode.Redirect, url, $"more than {MaxRedirects} redirects from {url}");
    }

    /// <summary>Runs one network wait, turning silence longer than <see cref="HubOptions.StallTimeout"/> into a <see cref="TimeoutException"/>.</summary>
    public async Task<T> WithStallTimeout<T>(Func<CancellationToken, Task<T>> wait, Uri url, CancellationToken cancellation)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stall.CancelAfter(Options.StallTimeout);
        try
        {
            return await wait(stall.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"{url} sent nothing for {Options.StallTimeout.TotalSeconds:0.#} s; run the same pull again to resume");
        }
    }

    private static string? Sha256From(EntityTagHeaderValue? tag) => tag is { IsWeak: false } ? Sha256From(tag.Tag) : null;

    private static string? Sha256From(string tag)
    {
        var value = tag.Trim().Trim('"');
        return value.Length == 64 && value.All(char.IsAsciiHexDigit) ? value.ToLowerInvariant() : null;
    }

    public void Dispose() => _http.Dispose();
}
