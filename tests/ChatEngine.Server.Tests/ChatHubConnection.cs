using ChatEngine.Server.Chat;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatEngine.Server.Tests;

/// <summary>The SignalR .NET client connected to a server's chat hub.</summary>
public static class ChatHubConnection
{
    public static async Task<HubConnection> StartAsync(Uri serverAddress)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(serverAddress, ChatHub.Path)).Build();
        await connection.StartAsync();
        return connection;
    }
}
