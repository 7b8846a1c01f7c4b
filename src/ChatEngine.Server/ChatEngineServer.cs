using System.Diagnostics.Metrics;
using ChatEngine.Runtime.Serving;
using ChatEngine.Server.Chat;
using ChatEngine.Server.Endpoints;
using ChatEngine.Server.OpenApi;
using ChatEngine.Server.Protocol;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ChatEngine.Server;

/// <summary>
/// The OpenAI-compatible HTTP server: Kestrel on <see cref="ServerOptions.Host"/>:<see cref="ServerOptions.Port"/>,
/// listening as soon as <see cref="StartAsync"/> returns (<c>/health</c> answers 503 until the model has loaded in the
/// background), then serving completions and the SignalR chat hub (<see cref="Chat.ChatHub"/>) through one
/// <see cref="Runtime.Serving.InferenceScheduler"/>, plus whatever <see cref="IServerExtension"/>s it was given (the web UI).
/// </summary>
public sealed class ChatEngineServer : IAsyncDisposable
{
    private readonly ServerState _state;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loading;

    private ChatEngineServer(WebApplication app, ServerState state)
    {
        App = app;
        _state = state;
    }

    /// <summary>Builds the application; nothing is loaded or bound until <see cref="StartAsync"/>.</summary>
    public static ChatEngineServer Create(ServerOptions options, Action<ILoggingBuilder>? logging = null, IReadOnlyList<IServerExtension>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        extensions ??= [];
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            RequestGuardMiddleware.ConfigureKestrel(kestrel.Limits);
            kestrel.AddServerHeader = false;
        });
        builder.WebHost.UseUrls($"http://{FormatHost(options.Host)}:{options.Port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        var state = new ServerState(options);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(state.Access);
        builder.Services.AddSingleton(new ChatService(state));
        builder.Services.AddSingleton<GracefulShutdown>();
        builder.Services.AddSingleton<IHostLifetime>(services => services.GetRequiredService<GracefulShutdown>());
        builder.Services.AddSingleton<IHostedService>(services => services.GetRequiredService<GracefulShutdown>());
        // The drain keeps its own deadline; the host's only has to outlast it.
        builder.Services.Configure<HostOptions>(host =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeout) + GracefulShutdown.ReplyGrace + TimeSpan.FromSeconds(5));
        // A hub request carries the whole conversation: allow what the HTTP API allows for a body.
        builder.Services.AddSignalR(hub => hub.MaximumReceiveMessageSize = options.MaxRequestBodyBytes);
        var corsOrigins = ServerOptions.SplitList(options.CorsOrigins);
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            if (corsOrigins.Contains("*")) policy.AllowAnyOrigin();
            else policy.WithOrigins([.. corsOrigins]);
            policy.AllowAnyHeader().AllowAnyMethod();
        }));
        // One application name and one key folder: replicas behind a load balancer then read each other's cookies.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("ChatEngine");
        if (options.DataProtectionKeysFolder is { } keys) dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        ServerTelemetry.AddTo(builder, options);
        ApiDocument.AddTo(builder.Services);
        foreach (var extension in extensions) extension.ConfigureServices(builder);

        var app = builder.Build();
        app.UseMiddleware<RequestGuardMiddleware>();
        app.UseCors();
        app.UseMiddleware<ApiMiddleware>();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ChatHub.Path), hub => hub.UseMiddleware<HubErrorMiddleware>());
        InfoEndpoints.Map(app, state);
        TokenizeEndpoints.Map(app, state);
        CompletionEndpoints.Map(app, state);
        app.MapPrometheusScrapingEndpoint(ServerTelemetry.MetricsPath).WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        EmbeddingEndpoints.Map(app, state);
        app.MapOpenApi(ApiDocument.Path);
        app.MapHub<ChatHub>(ChatHub.Path);
        foreach (var extension in extensions) extension.MapEndpoints(app);
        LoraEndpoints.Map(app, state);
        SlotEndpoints.Map(app, state);
        app.MapFallback(context => throw new ApiException(StatusCodes.Status404NotFound,
            $"no endpoint {context.Request.Method} {context.Request.Path}", "invalid_request_error"));
        return new ChatEngineServer(app, state);
    }

    public WebApplication App { get; }
    public ServerOptions Options => _state.Options;

    /// <summary>The address Kestrel bound (with the real port when <see cref="ServerOptions.Port"/> is 0).</summary>
    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Slots running a sequence now (0 once every client has finished or gone away).</summary>
    public int ActiveSlots => _state.Host?.Scheduler.ActiveSlots ?? 0;

    /// <summary>The scheduler once the model has loaded.</summary>
    internal Runtime.Serving.InferenceScheduler? Scheduler => _state.Host?.Scheduler;
    /// <summary>Sequences the shutdown deadline ended (<c>finish_reason: "shutdown"</c>); 0 when every one had finished.</summary>
    public int SequencesEndedByShutdown => App.Services.GetRequiredService<GracefulShutdown>().EndedByDeadline;

    /// <summary>Sequences dropped because their client disconnected.</summary>
    public long CancelledSequences => _state.Host?.Scheduler.Metrics.Outcomes(Runtime.Serving.SequenceOutcome.Cancelled) ?? 0;

    /// <summary>Starts listening, then loads the model in the background (see <see cref="WaitUntilReadyAsync"/>).</summary>
    public async Task StartAsync(CancellationToken cancellation = default)
    {
        await App.StartAsync(cancellation);
        _loading = Task.Run(() =>
        {
            try
            {
                _state.Loaded(ModelHost.Load(_state.Options, App.Services.GetRequiredService<ILoggerFactory>(),
                    App.Services.GetRequiredService<IMeterFactory>().Create(SchedulerTelemetry.Name)));
                _ready.TrySetResult();
            }
            catch (Exception e)
            {
                _state.Failed(e);
                _ready.TrySetException(e);
            }
        }, CancellationToken.None);
    }

    /// <summary>Completes when the model is loaded; throws the load error when it could not be.</summary>
    public Task WaitUntilReadyAsync(CancellationToken cancellation = default) => _ready.Task.WaitAsync(cancellation);

    /// <summary>For the CLI: start, wait for the model, serve until the host is told to stop (Ctrl+C, SIGTERM), and return
    /// once the graceful shutdown is over (see <see cref="SequencesEndedByShutdown"/>).</summary>
    public async Task RunAsync(Action<Uri>? onReady = null)
    {
        await StartAsync();
        await WaitUntilReadyAsync();
        onReady?.Invoke(BaseAddress);
        await App.WaitForShutdownAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        if (_loading is not null) await _loading;
        _state.Host?.Dispose();
        await App.DisposeAsync();
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
