using System.Text;
using ChatEngine.Eval.Http;
using Xunit;

namespace ChatEngine.Eval.Tests;

public sealed class SseReaderTests
{
    private static async Task<List<string>> Read(string text)
    {
        var events = new List<string>();
        await foreach (var data in SseReader.ReadDataAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None)) events.Add(data);
        return events;
    }

    [Fact]
    public async Task Events_follow_the_sse_line_rules()
    {
        var events = await Read("data: a\r\n\r\ndata:b\n\n: keep-alive\n\ndata: c\ndata:  d\n\nevent: x\nid: 7\nretry: 10\ndata: e\r\rdata: é\n\n\n\ndata: [DONE]");
        Assert.Equal(["a", "b", "c\n d", "e", "é", "[DONE]"], events);
    }

    [Fact]
    public async Task Events_without_data_are_skipped() => Assert.Empty(await Read("event: ping\n\n: comment\n\nid: 3\n\n"));
}
