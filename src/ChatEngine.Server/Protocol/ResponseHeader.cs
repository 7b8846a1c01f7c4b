namespace ChatEngine.Server.Protocol;

/// <summary>The fields every response and chunk of one completion repeats.</summary>
internal sealed record ResponseHeader(string Id, long Created, string Model)
{
    public string SystemFingerprint => "chatengine";

    public static ResponseHeader Create(string idPrefix, string model) =>
        new(idPrefix + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model);
}
