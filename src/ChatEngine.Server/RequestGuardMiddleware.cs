using ChatEngine.Server.Protocol;

namespace ChatEngine.Server;

/// <summary>
/// Runs first on every request and keeps other web sites out of a server on the user's machine: the <c>Host</c>
/// header must name an allowed host (<see cref="ServerOptions.AllowedHosts"/>: DNS rebinding), and a browser request
/// from another origin (an <c>Origin</c> header that is not the server's own) must come from one of
/// <see cref="ServerOptions.CorsOrigins"/>, whose preflights the CORS middleware after this one answers.
/// </summary>
internal sealed class RequestGuardMiddleware(RequestDelegate next, ServerState state)
{
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "::1"];
    private static readonly string[] AnyAddress = ["0.0.0.0", "::", "*", "+"];

    private readonly HashSet<string>? _allowedHosts = AllowedHostsFor(state.Options);
    private readonly HashSet<string> _allowedOrigins = new(ServerOptions.SplitList(state.Options.CorsOrigins), StringComparer.OrdinalIgnoreCase);

    /// <summary>Longest path and query answered (414 beyond); Kestrel's own limit is set above it (see
    /// <see cref="ConfigureKestrel"/>) so that what this refuses gets OpenAI's error object, not Kestrel's empty reply.</summary>
    public const int MaxTargetLength = 8 * 1024;

    /// <summary>Most bytes of request headers answered (431 beyond).</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Most request headers answered (431 beyond).</summary>
    public const int MaxHeaderCount = 100;

    /// <summary>Kestrel's limits, a margin above this middleware's; only past them does Kestrel answer by itself.</summary>
    public static void ConfigureKestrel(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits limits)
    {
        limits.MaxRequestLineSize = 8 * MaxTargetLength;
        limits.MaxRequestHeadersTotalSize = 4 * MaxHeaderBytes;
        limits.MaxRequestHeaderCount = 4 * MaxHeaderCount;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if ((request.Path.Value?.Length ?? 0) + (request.QueryString.Value?.Length ?? 0) > MaxTargetLength)
        {
            await ErrorResponse.WriteAsync(context, StatusCodes.Status414UriTooLong,
                $"the request target is longer than {MaxTargetLength} bytes", "invalid_request_error", null, "uri_too_long");
            return;
        }
        if (request.Headers.Count > MaxHeaderCount || HeaderBytes(request.Headers) > MaxHeaderBytes)
        {
            await ErrorResponse.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge,
                $"the request has more than {MaxHeaderCount} headers or more than {MaxHeaderBytes} bytes of them", "invalid_request_error", null,
                "headers_too_large");
            return;
        }
        if (_allowedHosts is not null && request.Host.HasValue && !_allowedHosts.Contains(request.Host.Host.Trim('[', ']')))
        {
            await ErrorResponse.WriteAsync(context, StatusCodes.Status400BadRequest,
                $"this server does not answer to the host name '{ErrorText.Excerpt(request.Host.Host)}' (allowed: {string.Join(", ", _allowedHosts)}; see --allowed-hosts)",
                "invalid_request_error", null, "host_not_allowed");
            return;
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsSameOrigin(request, origin) && !_allowedOrigins.Contains("*") && !_allowedOrigins.Contains(origin))
        {
            await ErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden,
                $"requests from the web origin '{ErrorText.Excerpt(origin)}' are not allowed (see --cors-origins)",
                "invalid_request_error", null, "origin_not_allowed");
            return;
        }
        await next(context);
    }

    private static long HeaderBytes(IHeaderDictionary headers)
    {
        long bytes = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values) bytes += name.Length + (value?.Length ?? 0) + 4;
        }
        return bytes;
    }

    /// <summary>The allowed host names, or null when any is.</summary>
    private static HashSet<string>? AllowedHostsFor(ServerOptions options)
    {
        var configured = ServerOptions.SplitList(options.AllowedHosts);
        if (configured.Contains("*") || (options.AllowedHosts is null && AnyAddress.Contains(options.Host))) return null;
        var names = options.AllowedHosts is null ? [.. LoopbackNames, options.Host] : configured;
        return new HashSet<string>(names.Select(name => name.Trim('[', ']')), StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsSameOrigin(HttpRequest request, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}", Normalize(request.Host), StringComparison.OrdinalIgnoreCase);

    // Uri.IdnHost gives IPv6 hosts without brackets; the Host header has them.
    private static string Normalize(HostString host)
    {
        var name = host.Host.Trim('[', ']');
        var isDefaultPort = host.Port is null;
        return isDefaultPort ? name : $"{name}:{host.Port}";
    }
}
