using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ChatEngine.ModelStore;

/// <summary>
/// Downloads one URL to a file through <c>FILE.partial</c>: an interrupted download keeps its bytes and the
/// response's validator (<c>FILE.partial.etag</c>), and the next attempt asks for the rest with <c>Range</c> +
/// <c>If-Range</c> (a server whose file changed answers 200 and the download starts over). The file only gets its
/// final name once complete and, when the hub announced a SHA-256, verified.
/// </summary>
public static class ResumableDownload
{
    private const int BufferSize = 1 << 20;

    public static string PartialPath(string destination) => destination + ".partial";

    public static string ValidatorPath(string destination) => destination + ".partial.etag";

    public static async Task<DownloadResult> RunAsync(HubClient hub, Uri url, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellation = default)
    {
        var partial = PartialPath(destination);
        var validatorPath = ValidatorPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var validator = File.Exists(validatorPath) ? await File.ReadAllTextAsync(validatorPath, cancellation) : null;
        var have = validator is not null && File.Exists(partial) ? new FileInfo(partial).Length : 0;

        var (response, sha256) = await hub.OpenAsync(url, headers =>
        {
            if (have == 0) return;
            headers.Range = new RangeHeaderValue(have, null);
            headers.IfRange = validator!.StartsWith('"') || validator.StartsWith("W/", StringComparison.Ordinal)
                ? new RangeConditionHeaderValue(EntityTagHeaderValue.Parse(validator))
                : new RangeConditionHeaderValue(DateTimeOffset.Parse(validator, System.Globalization.CultureInfo.InvariantCulture));
        }, cancellation);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            response.Dispose();
            if (have == 0) throw new HubRequestException(HttpStatusCode.RequestedRangeNotSatisfiable, url, $"{url} refused a request without a range (416)");
            return await RunAsync(hub, url, Restart(destination), progress, cancellation);
        }
        using (response)
        {
            var resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (resumed && response.Content.Headers.ContentRange?.From != have)
                throw new InvalidDataException($"{url} answered a range starting at {response.Content.Headers.ContentRange?.From}, not at {have}");
            if (!resumed) have = 0;

            var total = response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength + have;
            var newValidator = response.Headers.ETag?.ToString() ?? response.Content.Headers.LastModified?.ToString("R");
            if (newValidator is not null) await File.WriteAllTextAsync(validatorPath, newValidator, cancellation);
            else File.Delete(validatorPath);

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(partial, resumed ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.None, BufferSize, useAsync: true))
            {
                if (resumed) await HashExistingAsync(file, have, hash, cancellation);
                await using var body = await response.Content.ReadAsStreamAsync(cancellation);
                var buffer = new byte[BufferSize];
                var received = have;
                progress?.Report(new DownloadProgress(destination, received, total));
                int read;
                while ((read = await hub.WithStallTimeout(token => body.ReadAsync(buffer, token).AsTask(), url, cancellation)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
                    hash.AppendData(buffer, 0, read);
                    received += read;
                    progress?.Report(new DownloadProgress(destination, received, total));
                }
                if (total is { } expected && received != expected)
                    throw new IOException($"{url} ended after {received} of {expected} bytes; run the same pull again to resume");
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (sha256 is not null && sha256 != actual)
            {
                Restart(destination);
                throw new ChecksumMismatchException(Path.GetFileName(destination), sha256, actual);
            }
            File.Move(partial, destination, overwrite: true);
            File.Delete(validatorPath);
            return new DownloadResult(destination, new FileInfo(destination).Length, have, sha256);
        }
    }

    private static async Task HashExistingAsync(FileStream file, long length, IncrementalHash hash, CancellationToken cancellation)
    {
        var buffer = new byte[BufferSize];
        file.Position = 0;
        for (long done = 0; done < length;)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - done)), cancellation);
            if (read == 0) throw new IOException($"{file.Name} shrank while resuming");
            hash.AppendData(buffer, 0, read);
            done += read;
        }
        file.SetLength(length);
    }

    /// <summary>Forgets a partial download (its bytes and validator); returns <paramref name="destination"/>.</summary>
    public static string Restart(string destination)
    {
        File.Delete(PartialPath(destination));
        File.Delete(ValidatorPath(destination));
        return destination;
    }
}
