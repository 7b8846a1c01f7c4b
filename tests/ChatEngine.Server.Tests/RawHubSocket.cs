using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ChatEngine.Server.Chat;
using Microsoft.AspNetCore.SignalR;

namespace ChatEngine.Server.Tests;

/// <summary>
/// The JSON hub protocol over a bare WebSocket (records end with 0x1E), for records no SignalR client would send,
/// such as a string holding a lone surrogate; everything else speaks to the hub through <see cref="ChatHubConnection"/>.
/// </summary>
public sealed class RawHubSocket : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket = new();
    private readonly StringBuilder _pending = new();
    private readonly Queue<string> _records = new();

    private RawHubSocket()
    {
    }

    public static async Task<RawHubSocket> ConnectAsync(Uri serverAddress)
    {
        var client = new RawHubSocket();
        var address = new UriBuilder(serverAddress) { Scheme = "ws", Path = ChatHub.Path }.Uri;
        await client._socket.ConnectAsync(address, CancellationToken.None);
        await client.SendAsync("""{"protocol":"json","version":1}""");
        var handshake = await client.ReadAsync();
        if (handshake.TryGetProperty("error", out var error)) throw new InvalidOperationException($"handshake refused: {error}");
        return client;
    }

    /// <summary>Sends one record exactly as written.</summary>
    public async Task SendAsync(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json + RecordSeparator);
        await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
    }

    /// <summary>The items of one server-to-client stream until its completion; an error completion throws
    /// <see cref="HubException"/> with the message the server sent, as the SignalR client does.</summary>
    public async IAsyncEnumerable<JsonElement> ReadStreamAsync(string invocationId, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        while (true)
        {
            var message = await ReadAsync(cancellation);
            var type = message.GetProperty("type").GetInt32();
            if (type is not (2 or 3) || message.GetProperty("invocationId").GetString() != invocationId) continue;
            if (type == 2)
            {
                yield return message.GetProperty("item");
                continue;
            }
            if (message.TryGetProperty("error", out var error)) throw new HubException(error.GetString());
            yield break;
        }
    }

    private async Task<JsonElement> ReadAsync(CancellationToken cancellation = default)
    {
        var buffer = new byte[8192];
        while (_records.Count == 0)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellation);
            if (result.MessageType == WebSocketMessageType.Close) throw new WebSocketException("the server closed the connection");
            _pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            var text = _pending.ToString();
            var end = text.LastIndexOf(RecordSeparator);
            if (end < 0) continue;
            foreach (var record in text[..end].Split(RecordSeparator)) _records.Enqueue(record);
            _pending.Clear().Append(text[(end + 1)..]);
        }
        return JsonDocument.Parse(_records.Dequeue()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        _socket.Dispose();
    }
}
