namespace Larder.Server.Metadata;

/// <summary>
/// An entry of the token event log: <see cref="TokenEventKinds.Create"/>, <see cref="TokenEventKinds.Revoke"/>,
/// <see cref="TokenEventKinds.Write"/> or <see cref="TokenEventKinds.OidcExchange"/>, with a human-readable detail.
/// </summary>
public sealed record TokenEventRecord(long Id, long? TokenId, string Kind, DateTimeOffset At, string? Detail);

/// <summary>The kinds of <see cref="TokenEventRecord"/>.</summary>
public static class TokenEventKinds
{
    /// <summary>A token was created (by another token, or on the server machine).</summary>
    public const string Create = "create";

    /// <summary>A token was revoked (itself, or with the token that created it).</summary>
    public const string Revoke = "revoke";

    /// <summary>A token was used for a write (recorded at most once per <see cref="WriteInterval"/> per token).</summary>
    public const string Write = "write";

    /// <summary>A token was issued for an OIDC ID token; the detail names the policy that matched.</summary>
    public const string OidcExchange = "oidc-exchange";

    /// <summary>How long after a <see cref="Write"/> event the same token's writes are not recorded again.</summary>
    public static readonly TimeSpan WriteInterval = TimeSpan.FromHours(1);
}
