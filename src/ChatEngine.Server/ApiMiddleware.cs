using ChatEngine.Server.Protocol;

namespace ChatEngine.Server;

/// <summary>
/// Runs around every endpoint: lets through what <see cref="ApiKeyAccess"/> admits (the bearer key or the UI's session
/// cookie, when the server has a key) and turns every failure into OpenAI's error object — <see cref="ApiException"/>
/// with its status, Kestrel's bad-request errors (e.g. 413) with theirs, anything else as a 500 <c>server_error</c>.
/// </summary>
internal sealed class ApiMiddleware(RequestDelegate next, ServerState state, ILogger<ApiMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            if (!state.Access.Admits(context))
            {
                await state.Access.ChallengeAsync(context);
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
}
