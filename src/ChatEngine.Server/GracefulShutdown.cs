using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ChatEngine.Server;

/// <summary>
/// Stops the server without cutting a reply short. On SIGTERM / SIGINT / SIGQUIT (it replaces the console lifetime,
/// which would stop the host at once and close every SignalR connection), or when the host is stopped in process, it
/// first drains: new generation requests and <c>/health</c> get 503, running and queued ones go on for up to
/// <see cref="ServerOptions.ShutdownTimeout"/>; whatever still runs then ends with
/// <see cref="Runtime.Generation.FinishReason.Shutdown"/> (a final chunk and <c>[DONE]</c>, or a whole JSON answer, or
/// the hub's summary), and once those replies are written Kestrel stops.
/// </summary>
internal sealed class GracefulShutdown(ServerState state, IHostApplicationLifetime lifetime, ILogger<GracefulShutdown> logger)
    : IHostLifetime, IHostedLifecycleService
{
    /// <summary>How long the replies ended by the deadline may take to be written before Kestrel stops anyway.</summary>
    public static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(5);

    /// <summary>SignalR drops its connections (and what they have not sent yet) as soon as the host stops: a hub or UI
    /// stream's last messages are written when its reply ends, this is the time they get to leave.</summary>
    private static readonly TimeSpan TransportFlush = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private readonly Lock _gate = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private Task? _drain;

    /// <summary>Sequences the deadline ended (0 when every one finished on its own); set once the drain is over.</summary>
    public int EndedByDeadline { get; private set; }

    /// <summary>Runs the drain once, however many signals and stop calls ask for it.</summary>
    public Task DrainAsync()
    {
        lock (_gate) return _drain ??= Task.Run(RunDrainAsync);
    }

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
            _signals.Add(PosixSignalRegistration.Create(signal, OnSignal));
        return Task.CompletedTask;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _ = DrainAsync().ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
    }

    // Stopping in process (the host's StopAsync) drains before the web server stops.
    public Task StoppingAsync(CancellationToken cancellationToken) => DrainAsync();

    private async Task RunDrainAsync()
    {
        state.BeginDraining();
        if (state.Host is not { } host) return;
        var deadline = Stopwatch.GetTimestamp() + (long)(state.Options.ShutdownTimeout * Stopwatch.Frequency);
        var replying = host.Scheduler.OutstandingJobs > 0 || state.ActiveReplies > 0;
        while ((host.Scheduler.OutstandingJobs > 0 || state.ActiveReplies > 0) && Stopwatch.GetTimestamp() < deadline) await Task.Delay(PollInterval);
        EndedByDeadline = await host.Scheduler.EndAllForShutdownAsync();
        if (EndedByDeadline > 0)
            logger.LogWarning("shutdown: {Count} sequence(s) still running after {Timeout} s ended with finish_reason 'shutdown'",
                EndedByDeadline, state.Options.ShutdownTimeout);
        if (!replying) return;
        var graceEnd = Stopwatch.GetTimestamp() + (long)(ReplyGrace.TotalSeconds * Stopwatch.Frequency);
        while (state.ActiveReplies > 0 && Stopwatch.GetTimestamp() < graceEnd) await Task.Delay(PollInterval);
        await Task.Delay(TransportFlush);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in _signals) signal.Dispose();
        _signals.Clear();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
