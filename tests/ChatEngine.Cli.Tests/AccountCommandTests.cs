using ChatEngine.Accounts;
using ChatEngine.Accounts.Tests;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ChatEngine.Cli.Tests;

/// <summary><c>users</c> and <c>keys</c> through the built CLI against a real database file in a temporary data directory.</summary>
public sealed class AccountCommandTests : IDisposable
{
    private readonly TemporaryDataDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void Users_are_added_listed_given_a_new_password_and_removed()
    {
        Assert.Equal("added user ada (admin)", Ok("users", "add", "ada", "--password", "first", "--admin").Trim());
        var stdin = CliRunner.RunWithInput("from stdin\n", "users", "add", "bob", "--password-stdin", "--data-dir", _dir.Path);
        Assert.Equal(0, stdin.ExitCode);

        var lines = Ok("users", "list").Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("ada  admin", lines[0]);
        Assert.StartsWith("bob  user", lines[1]);
        var store = AccountStore.Open(_dir.Path);
        Assert.NotNull(store.VerifyPassword("bob", "from stdin"));

        Ok("users", "reset-password", "ada", "--password", "second");
        Assert.Null(store.VerifyPassword("ada", "first"));
        Assert.NotNull(store.VerifyPassword("ada", "second"));
        Ok("users", "remove", "bob");
        Assert.Equal(["ada"], store.ListUsers().Select(u => u.Name));
    }

    [Fact]
    public void A_created_key_is_alone_on_stdout_listed_by_prefix_and_revoked_by_prefix_or_id()
    {
        Ok("users", "add", "ada", "--password", "pw");
        var key = Ok("keys", "create", "ada").TrimEnd('\n');
        Assert.Matches("^ce-[A-Za-z0-9_-]{43}$", key);
        Assert.Equal("ada", AccountStore.Open(_dir.Path).FindUserByKey(key)?.Name);
        var second = Ok("keys", "create", "ada").TrimEnd('\n');

        var listed = Ok("keys", "list", "ada");
        Assert.Contains(key[..11] + "...", listed);
        Assert.DoesNotContain(key, listed);
        Assert.Contains("never used", listed);

        Assert.Contains("revoked key 1", Ok("keys", "revoke", key[..11]));
        Ok("keys", "revoke", "2");
        Assert.Null(AccountStore.Open(_dir.Path).FindUserByKey(key));
        Assert.Null(AccountStore.Open(_dir.Path).FindUserByKey(second));
        Assert.Equal(2, Ok("keys", "list").Split('\n').Count(l => l.Contains("revoked ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("error: a password is required: --password P or --password-stdin", "users", "add", "ada")]
    [InlineData("error: give the password with --password or --password-stdin, not both", "users", "add", "ada", "--password", "x", "--password-stdin")]
    [InlineData("error: no user 'nobody' (see 'chatengine users list')", "keys", "create", "nobody")]
    [InlineData("error: no user 'nobody' (see 'chatengine users list')", "users", "remove", "nobody")]
    [InlineData("error: no key has the id or prefix 'ce-nothing' (see 'chatengine keys list')", "keys", "revoke", "ce-nothing")]
    [InlineData("error: user name 'a b' must be 1 to 64 ASCII letters, digits, '.', '_', '-' or '@'", "users", "add", "a b", "--password", "x")]
    public void Bad_input_is_one_line_naming_it_and_exit_code_1(string expected, params string[] args)
    {
        var result = CliRunner.Run([.. args, "--data-dir", _dir.Path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(expected, result.Stderr.Trim());
    }

    [Fact]
    public void A_duplicate_user_is_refused()
    {
        Ok("users", "add", "ada", "--password", "pw");
        var result = CliRunner.Run("users", "add", "Ada", "--password", "pw", "--data-dir", _dir.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: user 'Ada' already exists", result.Stderr.Trim());
    }

    [Fact]
    public void The_data_directory_comes_from_CHATENGINE_DATADIR_when_no_flag_names_one()
    {
        var environment = new Dictionary<string, string?> { ["CHATENGINE_DATADIR"] = _dir.Path };
        Assert.Equal(0, CliRunner.Run(environment, "users", "add", "ada", "--password", "pw").ExitCode);

        Assert.Equal(["ada"], AccountStore.Open(_dir.Path).ListUsers().Select(u => u.Name));
    }

    [Fact]
    public async Task Serve_on_a_data_directory_with_a_user_needs_their_key()
    {
        Ok("users", "add", "ada", "--password", "pw");
        var key = Ok("keys", "create", "ada").TrimEnd('\n');
        using var serve = await ServeShutdownCliTests.ServeProcess.StartAsync("--data-dir", _dir.Path);
        using var http = new HttpClient { BaseAddress = serve.Address };

        using var anonymous = await http.GetAsync("/v1/models");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { Authorization = new("Bearer", key) } };
        using var withKey = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, withKey.StatusCode);
    }

    private string Ok(params string[] args)
    {
        var result = CliRunner.Run([.. args, "--data-dir", _dir.Path]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }
}
