using Xunit;
using System.Text;
using System.Text.Json;

namespace ChatEngine.Server.Tests;

/// <summary>Reads a server-sent-event body strictly: every event must be exactly <c>data: ...\n\n</c>.</summary>
public static class SseEvents
{
    public static async Task<List<string>> ReadAllAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return Parse(body);
    }

    public static List<string> Parse(string body)
    {
        Assert.EndsWith("\n\n", body, StringComparison.Ordinal);
        var events = body[..^2].Split("\n\n");
        foreach (var e in events)
        {
            Assert.StartsWith("data: ", e, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e);
        }
        return events.Select(e => e["data: ".Length..]).ToList();
    }

    /// <summary>Reads events one at a time from a live stream (for clients that stop early).</summary>
    public static async IAsyncEnumerable<string> StreamAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.Length == 0) continue;
            Assert.StartsWith("data: ", line, StringComparison.Ordinal);
            yield return line["data: ".Length..];
        }
    }

    public static JsonElement Json(string data) => JsonDocument.Parse(data).RootElement.Clone();
}
