namespace ChatEngine.ModelStore;

/// <summary>Bytes of <see cref="File"/> on disk so far (resumed bytes included) out of <see cref="Total"/> when known.</summary>
public readonly record struct DownloadProgress(string File, long Received, long? Total);

/// <summary>
/// How a pull went: where the file is, how many bytes were resumed, the SHA-256 it was verified against (null when
/// the hub announced none) and whether it was already complete in the store (then nothing was downloaded).
/// </summary>
public sealed record DownloadResult(string Path, long Length, long ResumedFrom, string? VerifiedSha256, bool AlreadyStored = false);
