using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ChatEngine.Server.Tests;

/// <summary>
/// A minimal SignalR client speaking the JSON hub protocol over a raw WebSocket (records end with 0x1E), the way any
/// non-.NET client would: handshake, invocations, server-to-client streams, stream cancellation.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket = new();
    private readonly StringBuilder _pending = new();
    private readonly Queue<string> _records = new();
    private int _nextId;

    private HubClient()
    {
    }

    public static async Task<HubClient> ConnectAsync(Uri serverAddress, string path = "/hubs/chat")
    {
        var client = new HubClient();
        var address = new UriBuilder(serverAddress) { Scheme = "ws", Path = path }.Uri;
        await client._socket.ConnectAsync(address, CancellationToken.None);
        await client.SendAsync(new { protocol = "json", version = 1 });
        var handshake = await client.ReadAsync(CancellationToken.None);
        if (handshake.TryGetProperty("error", out var error)) throw new InvalidOperationException($"handshake refused: {error}");
        return client;
    }

    /// <summary>Calls a hub method and returns its result (throws <see cref="HubError"/> for an error completion).</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object[] arguments)
    {
        var id = NewId();
        await SendAsync(new { type = 1, invocationId = id, target, arguments });
        while (true)
        {
            var message = await ReadAsync(CancellationToken.None);
            if (message.GetProperty("type").GetInt32() != 3 || message.GetProperty("invocationId").GetString() != id) continue;
            if (message.TryGetProperty("error", out var error)) throw new HubError(error.GetString()!);
            return message.GetProperty("result");
        }
    }

    /// <summary>Starts a server-to-client stream; read it with <see cref="ReadStreamAsync"/>.</summary>
    public async Task<string> StartStreamAsync(string target, params object[] arguments)
    {
        var id = NewId();
        await SendAsync(new { type = 4, invocationId = id, target, arguments });
        return id;
    }

    /// <summary>The stream's items until its completion; an error completion throws <see cref="HubError"/>.</summary>
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
            if (message.TryGetProperty("error", out var error)) throw new HubError(error.GetString()!);
            yield break;
        }
    }

    public Task CancelStreamAsync(string invocationId) => SendAsync(new { type = 5, invocationId });

    private string NewId() => (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Task SendAsync(object message)
        => SendRawAsync(JsonSerializer.Serialize(message));

    /// <summary>Sends one record as written (for messages no serializer would produce).</summary>
    public async Task SendRawAsync(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json + RecordSeparator);
        await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
    }

    private async Task<JsonElement> ReadAsync(CancellationToken cancellation)
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
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // The server stopped and reset the connection first: nothing is left to close.
        }
        _socket.Dispose();
    }
}

/// <summary>An error completion from the hub, with the message the server sent.</summary>
public sealed class HubError(string message) : Exception(message);
