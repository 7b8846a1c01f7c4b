using System.Text.Json;
using Xunit;

namespace ChatEngine.Server.Tests;

public static class OpenAiError
{
    /// <summary>Asserts <paramref name="response"/> is <paramref name="status"/> with OpenAI's error object as JSON, and returns the object.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.True(error.TryGetProperty("code", out _));
        return error.Clone();
    }
}
