using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ChatEngine.Accounts;

/// <summary>
/// Users and API keys in <c>chatengine.db</c> (SQLite, WAL) under a data directory; what <c>chatengine users</c>,
/// <c>chatengine keys</c> and the server's key check all go through. Passwords are kept as ASP.NET Core Identity
/// hashes, keys (<c>ce-</c> and 43 random base64url characters) as SHA-256 digests next to their first characters,
/// which listings show and lookups use; a key is compared to the stored digests in constant time.
/// </summary>
public sealed class AccountStore
{
    public const string DatabaseFileName = "chatengine.db";
    public const string KeyMarker = "ce-";
    public const string SessionSecretFileName = "session.key";

    /// <summary>The schema this code writes, kept in SQLite's <c>user_version</c>; a database with another one is refused.</summary>
    public const int SchemaVersion = 1;

    private const int KeySecretBytes = 32;
    private const int SessionSecretBytes = 32;
    private const int VisiblePrefixLength = 11;
    private const int MaxNameLength = 64;

    /// <summary>A key's last-used time is written at most this often, so a busy client does not write on every request.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private static readonly PasswordHasher<string> Hasher = new();
    private static readonly Lazy<string> UnknownUserHash = new(() => Hasher.HashPassword("", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(KeySecretBytes))));
    private readonly DbContextOptions<AccountsDbContext> _options;

    private AccountStore(string databasePath)
    {
        DatabasePath = databasePath;
        var connection = new SqliteConnectionStringBuilder { DataSource = databasePath, ForeignKeys = true }.ToString();
        _options = new DbContextOptionsBuilder<AccountsDbContext>().UseSqlite(connection).Options;
    }

    public string DatabasePath { get; }

    /// <summary><c>chatengine</c> in the user's local application data folder (<c>~/.local/share/chatengine</c> on Linux,
    /// <c>%LOCALAPPDATA%\chatengine</c> on Windows).</summary>
    public static string DefaultDataDirectory()
    {
        var appData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        if (appData.Length == 0) throw new AccountException("this user has no local application data folder: name a data directory (--data-dir)");
        return Path.Combine(appData, "chatengine");
    }

    /// <summary>Opens (creating the directory and the database when missing) the accounts of <paramref name="dataDirectory"/>.</summary>
    public static AccountStore Open(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var store = new AccountStore(Path.GetFullPath(Path.Combine(dataDirectory, DatabaseFileName)));
        store.PrepareSchema();
        return store;
    }

    private void PrepareSchema()
    {
        using var db = Context();
        var created = db.Database.EnsureCreated();
        var connection = db.Database.GetDbConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        // WAL is a property of the file: set once, every later connection (the CLI's, the server's) gets it.
        command.CommandText = created ? $"PRAGMA journal_mode = WAL; PRAGMA user_version = {SchemaVersion};" : "PRAGMA user_version;";
        var version = created ? SchemaVersion : Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (created) command.ExecuteNonQuery();
        if (version != SchemaVersion)
            throw new AccountException($"'{DatabasePath}' has schema version {version}, this chatengine reads version {SchemaVersion}");
    }

    public bool HasUsers()
    {
        using var db = Context();
        return db.Users.Any();
    }

    public UserInfo AddUser(string name, string password, bool isAdmin)
    {
        CheckName(name);
        CheckPassword(password);
        using var db = Context();
        if (db.Users.Any(u => u.Name == name)) throw new AccountException($"user '{name}' already exists");
        var user = new UserRow { Name = name, PasswordHash = Hasher.HashPassword(name, password), IsAdmin = isAdmin, CreatedUtc = DateTime.UtcNow };
        db.Users.Add(user);
        db.SaveChanges();
        return Info(user);
    }

    public IReadOnlyList<UserInfo> ListUsers()
    {
        using var db = Context();
        return [.. db.Users.AsNoTracking().OrderBy(u => u.Id).AsEnumerable().Select(Info)];
    }

    /// <summary>Removes the user and all their keys.</summary>
    public void RemoveUser(string name)
    {
        using var db = Context();
        db.Users.Remove(FindUser(db, name));
        db.SaveChanges();
    }

    public void ResetPassword(string name, string password)
    {
        CheckPassword(password);
        using var db = Context();
        var user = FindUser(db, name);
        user.PasswordHash = Hasher.HashPassword(user.Name, password);
        db.SaveChanges();
    }

    /// <summary>The user when <paramref name="password"/> is theirs; null for a wrong password or an unknown name, which
    /// take the same path: an unknown name is checked against a hash of its own, so the time taken does not tell which
    /// names exist. A hash Identity calls outdated (older format or fewer iterations) is replaced by a current one.</summary>
    public UserInfo? VerifyPassword(string name, string password)
    {
        using var db = Context();
        var user = db.Users.SingleOrDefault(u => u.Name == name);
        var result = Hasher.VerifyHashedPassword(name, user?.PasswordHash ?? UnknownUserHash.Value, password);
        if (user is null || result == PasswordVerificationResult.Failed) return null;
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = Hasher.HashPassword(user.Name, password);
            db.SaveChanges();
        }
        return Info(user);
    }

    /// <summary>What a sign-in session of the user is bound to: a digest of their password hash, so it changes when the
    /// password is reset (a new salt, even for the same password) or rehashed; null once the user is removed.</summary>
    public byte[]? SessionStamp(long userId)
    {
        using var db = Context();
        var hash = db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PasswordHash).SingleOrDefault();
        return hash is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(hash));
    }

    /// <summary>The random secret (<see cref="SessionSecretFileName"/>, next to the database, readable by its owner only)
    /// that signs this data directory's sign-in cookies: made on first use and kept, so sessions outlive a restart.</summary>
    public byte[] SessionSecret()
    {
        var path = Path.Combine(Path.GetDirectoryName(DatabasePath)!, SessionSecretFileName);
        if (!File.Exists(path))
        {
            // Written aside and moved into place: a server starting at the same time never reads half a secret.
            var pending = $"{path}.{Guid.NewGuid():N}";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var file = new FileStream(pending, options)) file.Write(RandomNumberGenerator.GetBytes(SessionSecretBytes));
            try
            {
                File.Move(pending, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(pending);
            }
        }
        var secret = File.ReadAllBytes(path);
        if (secret.Length != SessionSecretBytes) throw new AccountException($"'{path}' is not a session secret ({SessionSecretBytes} bytes): delete it to make a new one");
        return secret;
    }

    /// <summary>A new key for <paramref name="userName"/>: the returned text is the only time the key exists outside its owner's hands.</summary>
    public (ApiKeyInfo Key, string Plaintext) CreateKey(string userName)
    {
        using var db = Context();
        var user = FindUser(db, userName);
        var plaintext = KeyMarker + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(KeySecretBytes));
        var key = new ApiKeyRow { UserId = user.Id, Prefix = plaintext[..VisiblePrefixLength], Hash = Digest(plaintext), CreatedUtc = DateTime.UtcNow };
        db.ApiKeys.Add(key);
        db.SaveChanges();
        return (Info(key, user.Name), plaintext);
    }

    /// <summary>Every key (revoked ones too), or only <paramref name="userName"/>'s.</summary>
    public IReadOnlyList<ApiKeyInfo> ListKeys(string? userName = null)
    {
        using var db = Context();
        var keys = db.ApiKeys.AsNoTracking().Include(k => k.User).AsQueryable();
        if (userName is not null)
        {
            var user = FindUser(db, userName);
            keys = keys.Where(k => k.UserId == user.Id);
        }
        return [.. keys.OrderBy(k => k.Id).AsEnumerable().Select(k => Info(k, k.User!.Name))];
    }

    /// <summary>Revokes the key with this id, or with this listed prefix when only one key has it; revoking twice keeps the first time.</summary>
    public ApiKeyInfo RevokeKey(string idOrPrefix)
    {
        using var db = Context();
        var matches = long.TryParse(idOrPrefix, out var id)
            ? db.ApiKeys.Include(k => k.User).Where(k => k.Id == id).ToList()
            : db.ApiKeys.Include(k => k.User).Where(k => k.Prefix == idOrPrefix).ToList();
        var key = matches.Count switch
        {
            0 => throw new AccountException($"no key has the id or prefix '{idOrPrefix}' (see 'chatengine keys list')"),
            1 => matches[0],
            _ => throw new AccountException($"{matches.Count} keys start with '{idOrPrefix}': revoke one by its id"),
        };
        key.RevokedUtc ??= DateTime.UtcNow;
        db.SaveChanges();
        return Info(key, key.User!.Name);
    }

    /// <summary>The owner of <paramref name="key"/> when it is a key of this store and not revoked; notes when it was used.</summary>
    public UserInfo? FindUserByKey(string key)
    {
        if (!key.StartsWith(KeyMarker, StringComparison.Ordinal) || key.Length < VisiblePrefixLength) return null;
        var digest = Digest(key);
        var prefix = key[..VisiblePrefixLength];
        using var db = Context();
        ApiKeyRow? found = null;
        // Every candidate is compared, each in constant time: the answer's timing says nothing about the digests.
        foreach (var candidate in db.ApiKeys.Include(k => k.User).Where(k => k.Prefix == prefix).ToList())
        {
            if (CryptographicOperations.FixedTimeEquals(candidate.Hash, digest)) found = candidate;
        }
        if (found is null || found.RevokedUtc is not null) return null;
        var now = DateTime.UtcNow;
        if (found.LastUsedUtc is not { } last || now - last >= LastUsedResolution)
        {
            found.LastUsedUtc = now;
            db.SaveChanges();
        }
        return Info(found.User!);
    }

    private AccountsDbContext Context() => new(_options);

    private static UserRow FindUser(AccountsDbContext db, string name) =>
        db.Users.SingleOrDefault(u => u.Name == name) ?? throw new AccountException($"no user '{name}' (see 'chatengine users list')");

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static UserInfo Info(UserRow user) => new(user.Id, user.Name, user.IsAdmin, user.CreatedUtc);

    private static ApiKeyInfo Info(ApiKeyRow key, string userName) =>
        new(key.Id, userName, key.Prefix, key.CreatedUtc, key.LastUsedUtc, key.RevokedUtc);

    private static void CheckName(string name)
    {
        if (name.Length is 0 or > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
            throw new AccountException($"user name '{name}' must be 1 to {MaxNameLength} ASCII letters, digits, '.', '_', '-' or '@'");
    }

    private static void CheckPassword(string password)
    {
        if (password.Length == 0) throw new AccountException("the password must not be empty");
    }
}
