using System.Security.Cryptography;
using System.Text;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server;

/// <summary>
/// Runs around every endpoint: checks the bearer key (constant-time, on SHA-256 digests so the key's length does
/// not leak either) and turns every failure into OpenAI's error object — <see cref="ApiException"/> with its status,
/// Kestrel's bad-request errors (e.g. 413) with theirs, anything else as a 500 <c>server_error</c>.
/// </summary>
internal sealed class ApiMiddleware(RequestDelegate next, ServerState state, ILogger<ApiMiddleware> logger)
{
    private readonly byte[]? _keyDigest = state.Options.ApiKey is { Length: > 0 } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            if (_keyDigest is not null && !context.Request.Path.StartsWithSegments("/health") && !IsAuthorized(context.Request))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await ErrorResponse.WriteAsync(context, StatusCodes.Status401Unauthorized,
                    "Incorrect API key provided", "invalid_request_error", null, "invalid_api_key");
                return;
            }
            await next(context);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await ErrorResponse.WriteAsync(context, e);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await ErrorResponse.WriteAsync(context, e.StatusCode, e.Message, "invalid_request_error");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "request {Path} failed", context.Request.Path);
            await ErrorResponse.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal server error", "server_error");
        }
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(digest, _keyDigest);
    }
}
