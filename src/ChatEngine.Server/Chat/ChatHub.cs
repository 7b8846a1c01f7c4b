using Microsoft.AspNetCore.SignalR;

namespace ChatEngine.Server.Chat;

/// <summary>
/// The public SignalR chat API at <c>/hubs/chat</c> (JSON protocol); see <c>docs/chat-hub.md</c>.
/// <c>StreamChat</c> is a server-to-client stream: cancelling it (or closing the connection) stops the generation.
/// Refusals arrive as the stream's error, <c>code: message</c> with the codes of <see cref="ChatException"/>.
/// </summary>
public sealed class ChatHub(ChatService chat) : Hub
{
    public const string Path = "/hubs/chat";

    public ChatServerInfo GetInfo() => chat.Info;

    public IAsyncEnumerable<ChatChunk> StreamChat(ChatStreamRequest request, CancellationToken cancellation)
    {
        try
        {
            return chat.Start(request, cancellation).ReadAllAsync(cancellation);
        }
        catch (ChatException e)
        {
            throw new HubException(e.WireMessage);
        }
    }
}
