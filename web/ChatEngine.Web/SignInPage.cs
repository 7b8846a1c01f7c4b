using System.Text.Encodings.Web;
using ChatEngine.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ChatEngine.Web;

/// <summary>
/// Sign-in for a server started with an API key: <c>GET /signin</c> shows a key field, <c>POST /signin</c> checks the
/// key (<see cref="ApiKeyAccess.SignIn"/> sets the session cookie) and goes back to the page the browser came from,
/// or answers 401 with the form and the error; <c>POST /signout</c> drops the cookie. Plain HTML forms (no circuit is
/// possible before signing in), styled inline because the UI's own files need the cookie too.
/// </summary>
internal static class SignInPage
{
    public const string Path = "/signin";
    public const string SignOutPath = "/signout";

    public static void Map(WebApplication app, ApiKeyAccess access)
    {
        access.SignInPath = Path;
        app.MapGet(Path, context => access.Required
            ? WriteAsync(context, StatusCodes.Status200OK, SafeReturnUrl(context.Request.Query["returnUrl"]), error: null)
            : GoTo(context, "/")).AllowAnonymous();
        app.MapPost(Path, context => SignInAsync(context, access)).AllowAnonymous();
        app.MapPost(SignOutPath, context =>
        {
            access.SignOut(context);
            return GoTo(context, access.Required ? Path : "/");
        }).AllowAnonymous();
    }

    private static async Task SignInAsync(HttpContext context, ApiKeyAccess access)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = SafeReturnUrl(form["returnUrl"]);
        if (access.SignIn(context, form["key"].ToString()))
        {
            await GoTo(context, returnUrl);
            return;
        }
        await WriteAsync(context, StatusCodes.Status401Unauthorized, returnUrl,
            access.Required ? "Wrong API key: check it and try again." : "This server has no API key: there is nothing to sign in to.");
    }

    /// <summary>A path on this server only: anything else (another site, <c>//host</c>, <c>/\host</c>) becomes <c>/</c>.</summary>
    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl[0] == '/' && !returnUrl.StartsWith("//", StringComparison.Ordinal)
        && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative)
            ? returnUrl
            : "/";

    // 303: the browser follows a POST's redirect with a GET.
    private static Task GoTo(HttpContext context, string location)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    private static Task WriteAsync(HttpContext context, int status, string returnUrl, string? error)
    {
        var html = HtmlEncoder.Default;
        var errorLine = error is null ? "" : $"""<p class="error" role="alert">{html.Encode(error)}</p>""";
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>Sign in · ChatEngine</title>
            <link rel="icon" href="data:," />
            <style>
            body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f7f7f8; color: #1d1d1f; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
            form { background: #fff; border: 1px solid #dcdce3; border-radius: 10px; padding: 1.5rem; width: min(22rem, 90vw); display: grid; gap: .75rem; }
            h1 { font-size: 1.2rem; margin: 0; }
            p { margin: 0; color: #6b6b76; }
            input, button { font: inherit; padding: .45rem .7rem; border-radius: 6px; border: 1px solid #dcdce3; }
            button { background: #2f5bd3; color: #fff; border-color: #2f5bd3; cursor: pointer; }
            input:focus-visible, button:focus-visible { outline: 3px solid #2f5bd3; outline-offset: 1px; }
            .error { color: #b42318; }
            </style>
            </head>
            <body>
            <form method="post" action="{{Path}}">
            <h1>ChatEngine</h1>
            <p>This server needs its API key.</p>
            <label for="key">API key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required autofocus />
            <input type="hidden" name="returnUrl" value="{{html.Encode(returnUrl)}}" />
            {{errorLine}}
            <button type="submit">Sign in</button>
            </form>
            </body>
            </html>
            """, context.RequestAborted);
    }
}
