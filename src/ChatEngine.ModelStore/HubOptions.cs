namespace ChatEngine.ModelStore;

/// <summary>Where and how to reach a Hugging Face-style hub.</summary>
public sealed record HubOptions
{
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    public Uri Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>Sent as <c>Authorization: Bearer TOKEN</c> to the hub itself (never to a CDN on another host).</summary>
    public string? Token { get; init; }

    public string Revision { get; init; } = "main";

    /// <summary>How long the hub may send nothing (headers or body bytes) before the pull fails with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The defaults with <c>HF_ENDPOINT</c> and <c>HF_TOKEN</c> applied when they are set.</summary>
    public static HubOptions FromEnvironment()
    {
        var endpoint = Environment.GetEnvironmentVariable("HF_ENDPOINT");
        var token = Environment.GetEnvironmentVariable("HF_TOKEN");
        return new HubOptions
        {
            Endpoint = string.IsNullOrWhiteSpace(endpoint) ? DefaultEndpoint : ParseEndpoint(endpoint, "HF_ENDPOINT"),
            Token = string.IsNullOrWhiteSpace(token) ? null : token,
        };
    }

    public static Uri ParseEndpoint(string text, string setting) =>
        Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"{setting} '{text}' is not an http(s) URL");
}
