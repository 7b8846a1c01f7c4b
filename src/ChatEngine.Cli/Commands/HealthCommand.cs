using System.CommandLine;
using ChatEngine.Server;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>health [--url URL]</c>: exits 0 when a server's <c>/health</c> answers 200 (the container's HEALTHCHECK, which
/// has no curl). The default URL uses the port the server's own settings give (<c>CHATENGINE_PORT</c> etc.).
/// </summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "health endpoint (default: http://127.0.0.1:PORT/health, PORT from the serve settings)" };
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the answer", DefaultValueFactory = _ => 5 };
        var command = new Command("health", "check a running server's /health (exit 0 when ready, 1 otherwise)") { url, timeout };
        command.SetAction(async (parse, cancellation) =>
        {
            var target = parse.GetValue(url) is { } given
                ? Uri.TryCreate(given, UriKind.Absolute, out var parsed) ? parsed : throw new CliUsageException($"--url '{given}' is not an absolute URL")
                : new Uri($"http://127.0.0.1:{ServerConfiguration.Load(null, new Dictionary<string, string?>()).Port}/health");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
            try
            {
                using var response = await http.GetAsync(target, cancellation);
                Console.WriteLine($"{target}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellation)}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Console.Error.WriteLine($"error: {target}: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
