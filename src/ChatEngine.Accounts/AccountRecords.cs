namespace ChatEngine.Accounts;

public sealed record UserInfo(long Id, string Name, bool IsAdmin, DateTime CreatedUtc);

/// <summary>A key as listed: never the key itself, only its visible <paramref name="Prefix"/>.</summary>
public sealed record ApiKeyInfo(long Id, string UserName, string Prefix, DateTime CreatedUtc, DateTime? LastUsedUtc, DateTime? RevokedUtc)
{
    public bool Revoked => RevokedUtc is not null;
}

/// <summary>A request the accounts cannot carry out (unknown user, duplicate name, ambiguous key prefix ...); the message says why.</summary>
public sealed class AccountException(string message) : Exception(message);
