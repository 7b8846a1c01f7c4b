using Xunit;

namespace ChatEngine.Web.Tests;

/// <summary>One server and browser shared by the browser tests; each test opens its own browser context.</summary>
public sealed class UiServerFixture : IAsyncLifetime
{
    private UiServer? _server;

    public UiServer Server => _server ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync() => _server = await UiServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiServerFixture>
{
    public const string Name = "ui";
}
