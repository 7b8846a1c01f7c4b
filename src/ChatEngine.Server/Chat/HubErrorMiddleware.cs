using System.Text;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Chat;

/// <summary>
/// SignalR answers a bad hub request (no connection id, an unknown one, a wrong transport) with a plain-text body;
/// this turns such answers into OpenAI's error object like every other refusal of the server. Only replies that end
/// at once are buffered: WebSocket and server-sent-event transports stream and pass straight through.
/// </summary>
internal sealed class HubErrorMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest || context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        var response = context.Response;
        var body = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = body;
        }
        if (response.StatusCode >= StatusCodes.Status400BadRequest && !response.HasStarted && response.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).Trim();
            response.ContentLength = null;
            await ErrorResponse.WriteAsync(context, response.StatusCode, text.Length > 0 ? ErrorText.Excerpt(text) : $"hub request refused ({response.StatusCode})",
                "invalid_request_error");
            return;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(body, context.RequestAborted);
    }
}
