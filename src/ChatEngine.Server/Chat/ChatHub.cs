using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;

namespace ChatEngine.Server.Chat;

/// <summary>
/// The public SignalR chat API at <c>/hubs/chat</c> (JSON protocol); see <c>docs/chat-hub.md</c>.
/// <c>StreamChat</c> is a server-to-client stream: cancelling it (or closing the connection) stops the generation.
/// Refusals, and failures after the stream started, arrive as the stream's error, <c>code: message</c> with the codes
/// of <see cref="ChatException"/>.
/// </summary>
public sealed class ChatHub(ChatService chat) : Hub
{
    public const string Path = "/hubs/chat";

    public ChatServerInfo GetInfo() => chat.Info;

    public IAsyncEnumerable<ChatChunk> StreamChat(ChatStreamRequest request, CancellationToken cancellation)
    {
        try
        {
            return AsHubErrors(chat.Start(request, cancellation).ReadAllAsync(cancellation), cancellation);
        }
        catch (ChatException e)
        {
            throw new HubException(e.WireMessage);
        }
    }

    // SignalR sends clients only the message of a HubException; anything else becomes a generic error.
    private static async IAsyncEnumerable<ChatChunk> AsHubErrors(IAsyncEnumerable<ChatChunk> chunks, [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var enumerator = chunks.GetAsyncEnumerator(cancellation);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync();
            }
            catch (ChatException e)
            {
                throw new HubException(e.WireMessage);
            }
            if (!more) yield break;
            yield return enumerator.Current;
        }
    }
}
