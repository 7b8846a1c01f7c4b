using ChatEngine.Server;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace ChatEngine.Server.Tests;

public sealed class ApiKeyAccessTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    [Fact]
    public void Only_the_issued_session_cookie_authorizes_and_no_tampered_one_throws()
    {
        var access = new ApiKeyAccess("the-key");
        var signIn = new DefaultHttpContext();
        Assert.True(access.SignIn(signIn, "the-key"));
        var issued = signIn.Response.Headers.SetCookie.ToString().Split(';')[0].Split('=', 2)[1];

        Assert.True(access.IsAuthorized(WithCookie(issued)));
        // Every last character, those whose spare bits are set included, and shapes that are not a tag at all.
        var forged = Alphabet.Select(c => issued[..^1] + c).Where(v => v != issued)
            .Concat([issued + "A", issued[..^1], issued + "==", "9" + issued, issued.Replace('.', ','), "", ".", "1.", "x." + issued.Split('.')[1], issued[..^2] + "*A"]);
        foreach (var value in forged)
            Assert.False(access.IsAuthorized(WithCookie(value)), value);
    }

    [Fact]
    public void A_wrong_key_signs_in_no_one()
    {
        var access = new ApiKeyAccess("the-key");
        var context = new DefaultHttpContext();
        Assert.False(access.SignIn(context, "the-kez"));
        Assert.Empty(context.Response.Headers.SetCookie.ToString());
    }

    private static HttpRequest WithCookie(string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = $"{ApiKeyAccess.CookieName}={value}";
        return context.Request;
    }
}
