using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChatEngine.Accounts;
using ChatEngine.Server.Protocol;
using Microsoft.AspNetCore.Authorization;

namespace ChatEngine.Server;

/// <summary>
/// Who may use a server started with an API key or with users in its data directory: a request with
/// <c>Authorization: Bearer KEY</c> where KEY is the server's or a user's unrevoked key (<see cref="AccountStore"/>;
/// the API, the chat hub), or a browser holding the session cookie that <see cref="SignIn"/> issues once the server's
/// key is checked (the web UI, its Blazor circuit, the hub). Every comparison is constant-time on fixed-length values:
/// SHA-256 digests for the keys, so their length does not leak either, and HMAC-SHA256 tags for the cookie. The cookie
/// holds its expiry and a tag of it keyed by a secret derived from the API key, never the key: it stays valid across
/// restarts and stops working when the key changes. Without a key and without users everyone is authorized; whether
/// there are users is asked on each request, so users added while the server runs take effect at once.
/// </summary>
public sealed class ApiKeyAccess
{
    public const string CookieName = "chatengine_session";

    /// <summary>How long a sign-in lasts.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(7);

    private const string BearerScheme = "Bearer ";
    private static readonly byte[] SessionKeyLabel = "chatengine session cookie v1"u8.ToArray();
    private readonly byte[]? _keyDigest;
    private readonly byte[]? _sessionKey;
    private readonly AccountStore? _accounts;

    public ApiKeyAccess(string? apiKey, AccountStore? accounts = null)
    {
        _accounts = accounts;
        if (apiKey is not { Length: > 0 }) return;
        var key = Encoding.UTF8.GetBytes(apiKey);
        _keyDigest = SHA256.HashData(key);
        _sessionKey = HMACSHA256.HashData(key, SessionKeyLabel);
    }

    /// <summary>Whether the server has an API key or its accounts have a user.</summary>
    public bool Required => _keyDigest is not null || _accounts?.HasUsers() == true;

    /// <summary>Where a browser that loads a page without a session is sent (set by the web UI); null: such loads get 401.</summary>
    public string? SignInPath { get; set; }

    public bool IsAuthorized(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HasBearerKey(request) || HasSession(request) || !Required;
    }

    /// <summary>Whether <paramref name="context"/> may go on: authorized, or bound for <c>/health</c> (which shows
    /// anonymous callers no load details) or an endpoint marked <c>AllowAnonymous</c> (the sign-in page).</summary>
    internal bool Admits(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/health") || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null
        || IsAuthorized(context.Request);

    /// <summary>Answers a request that <see cref="Admits"/> refused: a browser loading a page goes to the sign-in page
    /// (when the UI has one), anything else gets OpenAI's 401.</summary>
    internal Task ChallengeAsync(HttpContext context)
    {
        var request = context.Request;
        if (SignInPath is { } signIn && HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal))
        {
            var returnUrl = $"{request.PathBase}{request.Path}{request.QueryString}";
            context.Response.Redirect($"{signIn}?returnUrl={Uri.EscapeDataString(returnUrl)}");
            return Task.CompletedTask;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorResponse.WriteAsync(context, StatusCodes.Status401Unauthorized,
            "Incorrect API key provided", "invalid_request_error", null, "invalid_api_key");
    }

    /// <summary>Checks <paramref name="key"/>; when it is the server's, sets the session cookie on the response.</summary>
    public bool SignIn(HttpContext context, string? key)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (key is null || !KeyMatches(key)) return false;
        var expires = DateTimeOffset.UtcNow + SessionLifetime;
        var expiry = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Cookies.Append(CookieName, $"{expiry}.{Base64Url.EncodeToString(Tag(expiry))}", CookieOptions(context, expires));
        return true;
    }

    public void SignOut(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, null));
    }

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        Expires = expires,
    };

    private bool HasBearerKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerScheme, StringComparison.OrdinalIgnoreCase)) return false;
        var key = header[BearerScheme.Length..].Trim();
        return KeyMatches(key) || _accounts?.FindUserByKey(key) is not null;
    }

    private bool KeyMatches(string key) => _keyDigest is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key)), _keyDigest);

    /// <summary>A cookie <c>EXPIRY.TAG</c> whose tag is this server's for that expiry, and the expiry not passed.</summary>
    private bool HasSession(HttpRequest request)
    {
        if (_sessionKey is null || request.Cookies[CookieName] is not { } value) return false;
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)) return false;
        var tag = new byte[HMACSHA256.HashSizeInBytes];
        // The OperationStatus overload: TryDecodeFromChars throws on a last character whose spare bits are set.
        var encoded = value.AsSpan(dot + 1);
        if (Base64Url.DecodeFromChars(encoded, tag, out var consumed, out var length) != OperationStatus.Done
            || consumed != encoded.Length || length != tag.Length) return false;
        return CryptographicOperations.FixedTimeEquals(tag, Tag(value[..dot])) && expiry > DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    private byte[] Tag(string expiry) => HMACSHA256.HashData(_sessionKey!, Encoding.ASCII.GetBytes(expiry));
}
