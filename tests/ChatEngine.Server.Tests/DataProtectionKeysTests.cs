using System.Security.Cryptography;
using ChatEngine.Accounts.Tests;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ChatEngine.Server.Tests;

/// <summary>Replicas behind a load balancer: what one server protects (antiforgery tokens, circuit state) another
/// unprotects when both keep their data protection keys in the same folder, and only then.</summary>
public sealed class DataProtectionKeysTests
{
    private const string Purpose = "ChatEngine.Server.Tests.DataProtectionKeysTests";

    [Fact]
    public async Task Two_servers_sharing_a_keys_directory_read_each_others_payloads_and_a_third_with_its_own_cannot()
    {
        using var shared = new TemporaryDataDirectory();
        using var other = new TemporaryDataDirectory();
        await using var first = await TestServer.StartAsync(o => o with { DataProtectionKeysDir = shared.Path }, waitForModel: false);
        await using var second = await TestServer.StartAsync(o => o with { DataProtectionKeysDir = shared.Path }, waitForModel: false);
        await using var stranger = await TestServer.StartAsync(o => o with { DataProtectionKeysDir = other.Path }, waitForModel: false);

        var payload = Protector(first).Protect("circuit of pod A");

        Assert.Equal("circuit of pod A", Protector(second).Unprotect(payload));
        Assert.Equal("from B", Protector(first).Unprotect(Protector(second).Protect("from B")));
        Assert.ThrowsAny<CryptographicException>(() => Protector(stranger).Unprotect(payload));
        Assert.NotEmpty(Directory.GetFiles(shared.Path, "key-*.xml"));
    }

    [Fact]
    public async Task Without_a_keys_directory_the_keys_live_under_the_data_directory()
    {
        using var data = new TemporaryDataDirectory();
        await using var first = await TestServer.StartAsync(o => o with { DataDir = data.Path }, waitForModel: false);
        await using var second = await TestServer.StartAsync(o => o with { DataDir = data.Path }, waitForModel: false);

        var payload = Protector(first).Protect("antiforgery token");

        Assert.Equal("antiforgery token", Protector(second).Unprotect(payload));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data.Path, "dataprotection-keys"), "key-*.xml"));
    }

    private static IDataProtector Protector(TestServer server) =>
        server.Server.App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
}
