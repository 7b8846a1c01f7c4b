using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ChatEngine.Accounts;

/// <summary>The accounts database: users and their API keys (only hashes of the keys).</summary>
internal sealed class AccountsDbContext(DbContextOptions<AccountsDbContext> options) : DbContext(options)
{
    public DbSet<UserRow> Users => Set<UserRow>();
    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();

    // SQLite keeps times as text without a zone: they are all written as UTC, so they are read back as UTC.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcTimeConverter>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<UserRow>(user =>
        {
            user.ToTable("users");
            user.HasIndex(u => u.Name).IsUnique();
            user.Property(u => u.Name).UseCollation("NOCASE");
        });
        modelBuilder.Entity<ApiKeyRow>(key =>
        {
            key.ToTable("api_keys");
            key.HasIndex(k => k.Prefix);
            key.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

internal sealed class UserRow
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }
    public bool IsAdmin { get; set; }
    public DateTime CreatedUtc { get; set; }
}

internal sealed class ApiKeyRow
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public UserRow? User { get; set; }

    /// <summary>The start of the key as shown in listings (<c>ce-</c> and a few characters), also the lookup index.</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the whole key: the key itself is never stored.</summary>
    public required byte[] Hash { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? LastUsedUtc { get; set; }
    public DateTime? RevokedUtc { get; set; }
}

internal sealed class UtcTimeConverter() : ValueConverter<DateTime, DateTime>(time => time, time => DateTime.SpecifyKind(time, DateTimeKind.Utc));
