using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Xunit;

namespace ChatEngine.Accounts.Tests;

public sealed class AccountStoreTests : IDisposable
{
    private readonly TemporaryDataDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void The_database_is_a_WAL_file_with_the_schema_version_and_survives_reopening()
    {
        var store = AccountStore.Open(_dir.Path);
        store.AddUser("ada", "correct horse", isAdmin: true);

        Assert.Equal(Path.Combine(_dir.Path, AccountStore.DatabaseFileName), store.DatabasePath);
        Assert.Equal("wal", Scalar("PRAGMA journal_mode;"));
        Assert.Equal((long)AccountStore.SchemaVersion, Scalar("PRAGMA user_version;"));
        var reopened = AccountStore.Open(_dir.Path);
        var ada = Assert.Single(reopened.ListUsers());
        Assert.Equal(("ada", true, DateTimeKind.Utc), (ada.Name, ada.IsAdmin, ada.CreatedUtc.Kind));
    }

    [Fact]
    public void A_database_of_another_schema_version_is_refused_with_the_versions()
    {
        AccountStore.Open(_dir.Path);
        Scalar("PRAGMA user_version = 7;");
        var error = Assert.Throws<AccountException>(() => AccountStore.Open(_dir.Path));
        Assert.Contains("schema version 7", error.Message);
    }

    [Fact]
    public void Users_are_unique_by_name_whatever_the_case_and_their_passwords_are_stored_hashed()
    {
        var store = AccountStore.Open(_dir.Path);
        Assert.False(store.HasUsers());
        store.AddUser("ada", "correct horse", isAdmin: false);
        Assert.True(store.HasUsers());
        Assert.Contains("already exists", Assert.Throws<AccountException>(() => store.AddUser("ADA", "x", isAdmin: false)).Message);
        Assert.Throws<AccountException>(() => store.AddUser("has space", "x", isAdmin: false));
        Assert.Throws<AccountException>(() => store.AddUser("bob", "", isAdmin: false));

        Assert.NotNull(store.VerifyPassword("ada", "correct horse"));
        Assert.Null(store.VerifyPassword("ada", "correct horsf"));
        Assert.Null(store.VerifyPassword("nobody", "correct horse"));
        Assert.DoesNotContain("correct horse", File.ReadAllText(store.DatabasePath) + WalText());

        store.ResetPassword("ada", "battery staple");
        Assert.Null(store.VerifyPassword("ada", "correct horse"));
        Assert.NotNull(store.VerifyPassword("ada", "battery staple"));
    }

    [Fact]
    public void A_key_finds_its_user_until_revoked_and_only_its_hash_is_stored()
    {
        var store = AccountStore.Open(_dir.Path);
        store.AddUser("ada", "pw", isAdmin: false);
        store.AddUser("bob", "pw", isAdmin: false);
        var (adaKey, adaPlain) = store.CreateKey("ada");
        var (_, bobPlain) = store.CreateKey("bob");

        Assert.StartsWith(AccountStore.KeyMarker, adaPlain);
        Assert.Equal(46, adaPlain.Length);
        Assert.StartsWith(adaKey.Prefix, adaPlain);
        Assert.NotEqual(adaPlain, bobPlain);
        Assert.DoesNotContain(adaPlain, File.ReadAllText(store.DatabasePath) + WalText());

        Assert.Equal("ada", store.FindUserByKey(adaPlain)?.Name);
        Assert.Equal("bob", store.FindUserByKey(bobPlain)?.Name);
        Assert.NotNull(Assert.Single(store.ListKeys("ada")).LastUsedUtc);
        // Same visible prefix, different secret.
        Assert.Null(store.FindUserByKey(adaPlain[..^1] + (adaPlain[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(store.FindUserByKey(adaKey.Prefix));
        Assert.Null(store.FindUserByKey("not a key"));

        var revoked = store.RevokeKey(adaKey.Prefix);
        Assert.True(revoked.Revoked);
        Assert.Null(store.FindUserByKey(adaPlain));
        Assert.Equal("bob", store.FindUserByKey(bobPlain)?.Name);
        Assert.Equal(revoked.RevokedUtc, store.RevokeKey(adaKey.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).RevokedUtc);
    }

    [Fact]
    public void Keys_are_listed_per_user_and_go_with_their_user()
    {
        var store = AccountStore.Open(_dir.Path);
        store.AddUser("ada", "pw", isAdmin: false);
        store.AddUser("bob", "pw", isAdmin: false);
        store.CreateKey("ada");
        var (_, bobPlain) = store.CreateKey("bob");
        store.CreateKey("ada");

        Assert.Equal(["ada", "bob", "ada"], store.ListKeys().Select(k => k.UserName));
        Assert.Equal(2, store.ListKeys("ada").Count);
        store.RemoveUser("bob");
        Assert.Null(store.FindUserByKey(bobPlain));
        Assert.Equal(["ada", "ada"], store.ListKeys().Select(k => k.UserName));
        Assert.Contains("no user 'bob'", Assert.Throws<AccountException>(() => store.CreateKey("bob")).Message);
        Assert.Contains("no key", Assert.Throws<AccountException>(() => store.RevokeKey("ce-nothing")).Message);
    }

    [Fact]
    public void An_outdated_password_hash_verifies_and_is_replaced_by_a_current_one()
    {
        var store = AccountStore.Open(_dir.Path);
        var ada = store.AddUser("ada", "correct horse", isAdmin: false);
        var identityV2 = new PasswordHasher<string>(Options.Create(new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2 }));
        var outdated = identityV2.HashPassword("ada", "correct horse");
        Execute("UPDATE users SET PasswordHash = $hash", outdated);
        var outdatedStamp = store.SessionStamp(ada.Id);

        Assert.Null(store.VerifyPassword("ada", "wrong"));
        Assert.Equal(outdated, Scalar("SELECT PasswordHash FROM users"));
        Assert.Equal("ada", store.VerifyPassword("ADA", "correct horse")?.Name);
        var current = (string)Scalar("SELECT PasswordHash FROM users")!;
        Assert.NotEqual(outdated, current);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<string>().VerifyHashedPassword("ada", current, "correct horse"));
        Assert.NotEqual(outdatedStamp, store.SessionStamp(ada.Id));
        Assert.NotNull(store.VerifyPassword("ada", "correct horse"));
        Assert.Equal(current, Scalar("SELECT PasswordHash FROM users"));
    }

    [Fact]
    public void The_session_stamp_holds_until_the_password_is_reset_and_is_gone_with_the_user()
    {
        var store = AccountStore.Open(_dir.Path);
        var ada = store.AddUser("ada", "pw", isAdmin: false);
        var bob = store.AddUser("bob", "pw", isAdmin: false);
        var stamp = store.SessionStamp(ada.Id);

        Assert.Equal(32, stamp?.Length);
        Assert.Equal(stamp, store.SessionStamp(ada.Id));
        Assert.NotEqual(stamp, store.SessionStamp(bob.Id));
        store.VerifyPassword("ada", "pw");
        Assert.Equal(stamp, store.SessionStamp(ada.Id));
        // The same password again still gets a new salt, so sessions signed in before the reset end.
        store.ResetPassword("ada", "pw");
        Assert.NotEqual(stamp, store.SessionStamp(ada.Id));
        store.RemoveUser("ada");
        Assert.Null(store.SessionStamp(ada.Id));
        Assert.NotNull(store.SessionStamp(bob.Id));
    }

    [Fact]
    public void The_session_secret_is_made_once_owner_only_and_kept_across_opens()
    {
        var secret = AccountStore.Open(_dir.Path).SessionSecret();
        var path = Path.Combine(_dir.Path, AccountStore.SessionSecretFileName);

        Assert.Equal(32, secret.Length);
        Assert.Equal(secret, AccountStore.Open(_dir.Path).SessionSecret());
        Assert.Equal(secret, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir.Path, AccountStore.SessionSecretFileName + "*"));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("is not a session secret", Assert.Throws<AccountException>(() => AccountStore.Open(_dir.Path).SessionSecret()).Message);
    }

    private void Execute(string sql, string parameter)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir.Path, AccountStore.DatabaseFileName)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$hash", parameter);
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir.Path, AccountStore.DatabaseFileName)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private string WalText()
    {
        var wal = Path.Combine(_dir.Path, AccountStore.DatabaseFileName + "-wal");
        return File.Exists(wal) ? File.ReadAllText(wal) : "";
    }
}
