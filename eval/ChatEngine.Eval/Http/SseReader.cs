using System.Runtime.CompilerServices;
using System.Text;

namespace ChatEngine.Eval.Http;

/// <summary>
/// Reads the <c>data</c> of Server-Sent Events from a stream: lines end with CR, LF or CRLF; a blank line ends an
/// event; several <c>data:</c> lines join with LF; one space after the colon is dropped; comments (<c>:</c>) and
/// other fields (event, id, retry) are skipped. An event still open at the end of the stream is returned too.
/// </summary>
public static class SseReader
{
    public static async IAsyncEnumerable<string> ReadDataAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var data = new StringBuilder();
        var hasData = false;
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.Length == 0)
            {
                if (!hasData) continue;
                yield return data.ToString();
                data.Clear();
                hasData = false;
                continue;
            }
            if (line[0] == ':') continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            if (field != "data") continue;
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            if (hasData) data.Append('\n');
            data.Append(value);
            hasData = true;
        }
        if (hasData) yield return data.ToString();
    }
}
