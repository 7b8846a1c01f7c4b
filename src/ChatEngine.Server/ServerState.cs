using ChatEngine.Server.Protocol;

namespace ChatEngine.Server;

/// <summary>What the endpoints share: the options and the model once it has loaded (or why it failed to).</summary>
internal sealed class ServerState(ServerOptions options)
{
    private volatile ModelHost? _host;
    private volatile string? _loadError;

    public ServerOptions Options { get; } = options;
    public ModelHost? Host => _host;
    public string? LoadError => _loadError;

    public void Loaded(ModelHost host) => _host = host;

    public void Failed(Exception error) => _loadError = error.Message;

    /// <summary>The model, or a 503 while it is loading (or failed to load).</summary>
    public ModelHost RequireModel() => _host ?? throw Unavailable();

    public ApiException Unavailable() => new(StatusCodes.Status503ServiceUnavailable,
        _loadError is null ? "Loading model" : $"the model failed to load: {_loadError}", "unavailable_error");
}
