using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

public sealed partial class SqliteMetadataStore
{
    private const string TokenColumns = "id, description, secret_hash, grants, created_at, expires_at, revoked_at";

    /// <inheritdoc />
    public Task<TokenRecord> CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        ArgumentNullException.ThrowIfNull(token);
        var id = (long)session.Command(
            """
            INSERT INTO tokens (description, secret_hash, grants, created_at, expires_at, revoked_at)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5) RETURNING id;
            """,
            token.Description,
            token.SecretHash,
            EncodeGrants(token.Grants),
            ToDb(token.CreatedAt),
            ToDb(token.ExpiresAt),
            ToDb(token.RevokedAt)).ExecuteScalar()!;
        return token with { Id = id };
    });

    /// <inheritdoc />
    public Task<TokenRecord?> GetTokenBySecretHashAsync(string secretHash, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command($"SELECT {TokenColumns} FROM tokens WHERE secret_hash = $p0;", secretHash).ExecuteReader();
        return reader.Read() ? ReadToken(reader) : null;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        using var reader = session.Command($"SELECT {TokenColumns} FROM tokens ORDER BY id;").ExecuteReader();
        var tokens = new List<TokenRecord>();
        while (reader.Read())
        {
            tokens.Add(ReadToken(reader));
        }
        return (IReadOnlyList<TokenRecord>)tokens;
    });

    /// <inheritdoc />
    public Task<bool> RevokeTokenAsync(long tokenId, DateTimeOffset at, CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        // Revoking twice keeps the first revocation time.
        var changed = session.Command("UPDATE tokens SET revoked_at = COALESCE(revoked_at, $p1) WHERE id = $p0;", tokenId, ToDb(at))
            .ExecuteNonQuery();
        return changed > 0;
    });

    private static TokenRecord ReadToken(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        DecodeGrants(reader.GetString(3)),
        FromDb(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : FromDb(reader.GetInt64(5)),
        reader.IsDBNull(6) ? null : FromDb(reader.GetInt64(6)));

    /// <summary>Grants as <c>pattern=flags</c> pairs separated by spaces (patterns contain neither).</summary>
    private static string EncodeGrants(IReadOnlyList<TokenGrant> grants) =>
        string.Join(' ', grants.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.CachePattern}={(int)g.Permissions}")));

    private static IReadOnlyList<TokenGrant> DecodeGrants(string encoded) =>
    [
        .. SplitList(encoded).Select(pair =>
        {
            var separator = pair.LastIndexOf('=');
            return new TokenGrant(pair[..separator], (Permission)int.Parse(pair.AsSpan(separator + 1), CultureInfo.InvariantCulture));
        }),
    ];
}
