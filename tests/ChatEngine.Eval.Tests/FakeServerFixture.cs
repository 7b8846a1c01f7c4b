using Xunit;

namespace ChatEngine.Eval.Tests;

/// <summary>One <see cref="FakeOpenAiServer"/> per test class.</summary>
public sealed class FakeServerFixture : IAsyncLifetime
{
    private FakeOpenAiServer? _server;

    public FakeOpenAiServer Server => _server ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
