using ChatEngine.Server.Protocol;

namespace ChatEngine.Server;

/// <summary>What the endpoints share: the options, the model once it has loaded (or why it failed to), and whether a
/// graceful shutdown has begun (see <see cref="GracefulShutdown"/>).</summary>
internal sealed class ServerState(ServerOptions options)
{
    private volatile ModelHost? _host;
    private volatile string? _loadError;
    private volatile bool _draining;
    private int _activeReplies;

    public ServerOptions Options { get; } = options;

    /// <summary>The API-key check (bearer header or the UI's session cookie), against the server's key and the data directory's users' keys.</summary>
    public ApiKeyAccess Access { get; } = new(options.ApiKey, options.DataDir is null ? null : Accounts.AccountStore.Open(options.DataDir));
    public ModelHost? Host => _host;
    public string? LoadError => _loadError;

    /// <summary>True once shutdown has begun: new generation requests and <c>/health</c> get 503.</summary>
    public bool Draining => _draining;

    /// <summary>Generation replies (HTTP completions, hub and UI chat streams) still being written.</summary>
    public int ActiveReplies => Volatile.Read(ref _activeReplies);

    public void Loaded(ModelHost host) => _host = host;

    public void Failed(Exception error) => _loadError = error.Message;

    public void BeginDraining() => _draining = true;

    /// <summary>Counts a reply in <see cref="ActiveReplies"/> until the returned scope is disposed.</summary>
    public ReplyScope TrackReply()
    {
        Interlocked.Increment(ref _activeReplies);
        return new ReplyScope(this);
    }

    /// <summary>The model, or a 503 while it is loading (or failed to load) or the server is shutting down.</summary>
    public ModelHost RequireModel() => _draining ? throw ShuttingDown() : _host ?? throw Unavailable();

    public ApiException Unavailable() => new(StatusCodes.Status503ServiceUnavailable,
        _loadError is null ? "Loading model" : $"the model failed to load: {_loadError}", "unavailable_error");

    public static ApiException ShuttingDown() => new(StatusCodes.Status503ServiceUnavailable,
        "the server is shutting down", "unavailable_error", null, "shutting_down");

    public readonly struct ReplyScope(ServerState state) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref state._activeReplies);
    }
}
