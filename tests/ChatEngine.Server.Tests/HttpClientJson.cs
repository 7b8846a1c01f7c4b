using Xunit;
using System.Text.Json;

namespace ChatEngine.Server.Tests;

public static class HttpClientJson
{
    public static async Task<JsonElement> GetFromJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
