using System.Globalization;
using System.Text.Encodings.Web;
using ChatEngine.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ChatEngine.Web;

/// <summary>
/// Sign-in for a server with users or an API key: <c>GET /signin</c> shows a user name and password form when the data
/// directory has users and a key field when the server has a key (both when both), <c>POST /signin</c> checks what was
/// sent (<see cref="ApiKeyAccess"/>'s <c>SignIn</c> sets the session cookie) and goes back to the page the browser came
/// from, or answers 401 with the form and the error, or 429 while <see cref="SignInThrottle"/> refuses attempts;
/// <c>POST /signout</c> drops the cookie. Plain HTML forms (no circuit is possible before signing in), styled inline
/// because the UI's own files need the cookie too.
/// </summary>
internal static class SignInPage
{
    public const string Path = "/signin";
    public const string SignOutPath = "/signout";
    public const string WrongPassword = "Wrong user name or password: check them and try again.";

    public static void Map(WebApplication app, ApiKeyAccess access, SignInThrottle throttle)
    {
        access.SignInPath = Path;
        app.MapGet(Path, context => access.Required
            ? WriteAsync(context, access, StatusCodes.Status200OK, SafeReturnUrl(context.Request.Query["returnUrl"]), error: null)
            : GoTo(context, "/")).AllowAnonymous();
        app.MapPost(Path, context => SignInAsync(context, access, throttle)).AllowAnonymous();
        app.MapPost(SignOutPath, context =>
        {
            access.SignOut(context);
            return GoTo(context, access.Required ? Path : "/");
        }).AllowAnonymous();
    }

    private static async Task SignInAsync(HttpContext context, ApiKeyAccess access, SignInThrottle throttle)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = SafeReturnUrl(form["returnUrl"]);
        if (!access.Required)
        {
            await WriteAsync(context, access, StatusCodes.Status401Unauthorized, returnUrl, "This server has no API key and no users: there is nothing to sign in to.");
            return;
        }
        var byKey = form.ContainsKey("key");
        var userName = byKey ? null : form["userName"].ToString();
        var address = context.Connection.RemoteIpAddress?.ToString();
        if (throttle.RetryAfter(userName, address) is var wait && wait > TimeSpan.Zero)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await WriteAsync(context, access, StatusCodes.Status429TooManyRequests, returnUrl,
                $"Too many failed sign-ins: try again in {Math.Ceiling(wait.TotalMinutes).ToString(CultureInfo.InvariantCulture)} minutes.");
            return;
        }
        var signedIn = userName is null ? access.SignIn(context, form["key"].ToString()) : access.SignIn(context, userName, form["password"].ToString()) is not null;
        if (signedIn)
        {
            if (userName is not null) throttle.Succeeded(userName);
            await GoTo(context, returnUrl);
            return;
        }
        throttle.Failed(userName, address);
        await WriteAsync(context, access, StatusCodes.Status401Unauthorized, returnUrl, byKey ? "Wrong API key: check it and try again." : WrongPassword);
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

    private static Task WriteAsync(HttpContext context, ApiKeyAccess access, int status, string returnUrl, string? error)
    {
        var html = HtmlEncoder.Default;
        var errorLine = error is null ? "" : $"""<p class="error" role="alert">{html.Encode(error)}</p>""";
        var returnField = $"""<input type="hidden" name="returnUrl" value="{html.Encode(returnUrl)}" />""";
        var hasUsers = access.HasUsers;
        var keyIntro = hasUsers ? "<p>Or with the server's API key.</p>" : "<h1>ChatEngine</h1>\n<p>This server needs its API key.</p>";
        var keyFocus = hasUsers ? "" : " autofocus";
        var keyError = hasUsers ? "" : errorLine;
        var formlessError = hasUsers || access.HasApiKey ? "" : errorLine;
        var userForm = hasUsers ? $"""
            <form method="post" action="{Path}" class="user">
            <h1>ChatEngine</h1>
            <p>Sign in with your user name and password.</p>
            <label for="userName">User name</label>
            <input id="userName" name="userName" autocomplete="username" required autofocus />
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
            {returnField}
            {errorLine}
            <button type="submit">Sign in</button>
            </form>
            """ : "";
        var keyForm = access.HasApiKey ? $"""
            <form method="post" action="{Path}" class="api-key">
            {keyIntro}
            <label for="key">API key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required{keyFocus} />
            {returnField}
            {keyError}
            <button type="submit">Sign in</button>
            </form>
            """ : "";
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
            body { margin: 0; min-height: 100vh; display: grid; place-content: center; gap: 1rem; background: #f7f7f8; color: #1d1d1f; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
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
            {{userForm}}
            {{keyForm}}
            {{formlessError}}
            </body>
            </html>
            """, context.RequestAborted);
    }
}
