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
/// the API, the chat hub), or a browser holding the session cookie that a <c>SignIn</c> issues once the server's key
/// or a user's password is checked (the web UI, its Blazor circuit, the hub). Every comparison is constant-time on
/// fixed-length values: SHA-256 digests for the keys, so their length does not leak either, and HMAC-SHA256 tags for
/// the cookie. A key session's cookie holds its expiry and a tag of it keyed by a secret derived from the API key,
/// never the key: it stays valid across restarts and stops working when the key changes. A user's holds their id, its
/// expiry and a tag of both and the user's <see cref="AccountStore.SessionStamp"/> keyed by the data directory's
/// <see cref="AccountStore.SessionSecret"/>: it stops working when the user is removed or their password reset. Without
/// a key and without users everyone is authorized; whether there are users is asked on each request, so users added
/// while the server runs take effect at once.
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
    private readonly byte[]? _userSessionKey;

    public ApiKeyAccess(string? apiKey, AccountStore? accounts = null)
    {
        _accounts = accounts;
        _userSessionKey = accounts?.SessionSecret();
        if (apiKey is not { Length: > 0 }) return;
        var key = Encoding.UTF8.GetBytes(apiKey);
        _keyDigest = SHA256.HashData(key);
        _sessionKey = HMACSHA256.HashData(key, SessionKeyLabel);
    }

    /// <summary>Whether the server has an API key or its accounts have a user.</summary>
    public bool Required => HasApiKey || HasUsers;

    public bool HasApiKey => _keyDigest is not null;

    public bool HasUsers => _accounts?.HasUsers() == true;

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
        IssueSession(context, _sessionKey!, "", []);
        return true;
    }

    /// <summary>Checks the user's password (<see cref="AccountStore.VerifyPassword"/>: an unknown name and a wrong
    /// password are alike); when it is right, sets the user's session cookie on the response.</summary>
    public UserInfo? SignIn(HttpContext context, string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_accounts?.VerifyPassword(userName, password) is not { } user || _accounts.SessionStamp(user.Id) is not { } stamp) return null;
        IssueSession(context, _userSessionKey!, $"{user.Id.ToString(CultureInfo.InvariantCulture)}.", stamp);
        return user;
    }

    private static void IssueSession(HttpContext context, byte[] sessionKey, string subject, byte[] stamp)
    {
        var expires = DateTimeOffset.UtcNow + SessionLifetime;
        var signed = subject + expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Cookies.Append(CookieName, $"{signed}.{Base64Url.EncodeToString(Tag(sessionKey, signed, stamp))}", CookieOptions(context, expires));
    }

    public void SignOut(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, null));
    }

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
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

    /// <summary>A cookie <c>EXPIRY.TAG</c> (the API key's session) or <c>USERID.EXPIRY.TAG</c> (a user's) whose tag is
    /// this server's for what precedes it, and the expiry not passed.</summary>
    private bool HasSession(HttpRequest request)
    {
        if (request.Cookies[CookieName] is not { } value) return false;
        var tagStart = value.LastIndexOf('.') + 1;
        var signed = value.AsSpan(0, Math.Max(tagStart - 1, 0));
        var expiryStart = signed.LastIndexOf('.') + 1;
        if (!long.TryParse(signed[expiryStart..], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || expiry <= DateTimeOffset.UtcNow.ToUnixTimeSeconds()) return false;
        var tag = new byte[HMACSHA256.HashSizeInBytes];
        // The OperationStatus overload: TryDecodeFromChars throws on a last character whose spare bits are set.
        var encoded = value.AsSpan(tagStart);
        if (Base64Url.DecodeFromChars(encoded, tag, out var consumed, out var length) != OperationStatus.Done
            || consumed != encoded.Length || length != tag.Length) return false;
        if (expiryStart == 0) return _sessionKey is not null && CryptographicOperations.FixedTimeEquals(tag, Tag(_sessionKey, signed, []));
        return _userSessionKey is not null
            && long.TryParse(signed[..(expiryStart - 1)], NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
            && _accounts!.SessionStamp(userId) is { } stamp
            && CryptographicOperations.FixedTimeEquals(tag, Tag(_userSessionKey, signed, stamp));
    }

    private static byte[] Tag(byte[] sessionKey, ReadOnlySpan<char> signed, ReadOnlySpan<byte> stamp)
    {
        var message = new byte[signed.Length + stamp.Length];
        Encoding.ASCII.GetBytes(signed, message);
        stamp.CopyTo(message.AsSpan(signed.Length));
        return HMACSHA256.HashData(sessionKey, message);
    }
}
