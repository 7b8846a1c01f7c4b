using System.Net;

namespace ChatEngine.ModelStore;

/// <summary>The hub answered with an error status (404: no such repository, revision or file; 401/403: token needed).</summary>
public sealed class HubRequestException(HttpStatusCode status, Uri url, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public Uri Url { get; } = url;
}

/// <summary>The downloaded bytes do not hash to the SHA-256 the hub announced; the partial file has been deleted.</summary>
public sealed class ChecksumMismatchException(string file, string expected, string actual)
    : Exception($"{file}: SHA-256 {actual} does not match the hub's {expected}; the download was discarded")
{
    public string Expected { get; } = expected;
    public string Actual { get; } = actual;
}
