using System.Data.Common;
using System.Globalization;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string TokenColumns = "id, description, secret_hash, grants, created_at, expires_at, revoked_at";

    /// <inheritdoc />
    public Task<TokenRecord> CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return RunWriteAsync(async (session, ct) =>
        {
            var id = (long)(await session.ScalarAsync(
                """
                INSERT INTO tokens (description, secret_hash, grants, created_at, expires_at, revoked_at)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING id;
                """,
                ct,
                token.Description,
                token.SecretHash,
                EncodeGrants(token.Grants),
                token.CreatedAt,
                token.ExpiresAt,
                token.RevokedAt).ConfigureAwait(false))!;
            return token with { Id = id };
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<TokenRecord?> GetTokenBySecretHashAsync(string secretHash, CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync($"SELECT {TokenColumns} FROM tokens WHERE secret_hash = $1;", ct, secretHash)
            .ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadToken(reader) : null;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        await using var reader = await session.ReaderAsync($"SELECT {TokenColumns} FROM tokens ORDER BY id;", ct).ConfigureAwait(false);
        var tokens = new List<TokenRecord>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            tokens.Add(ReadToken(reader));
        }
        return (IReadOnlyList<TokenRecord>)tokens;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RevokeTokenAsync(long tokenId, DateTimeOffset at, CancellationToken cancellationToken) => RunWriteAsync(
        // Revoking twice keeps the first revocation time.
        async (session, ct) => await session.ExecuteAsync("UPDATE tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1;", ct, tokenId, at)
            .ConfigureAwait(false) > 0,
        cancellationToken);

    private TokenRecord ReadToken(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        DecodeGrants(_dialect.ReadList(reader, 3)),
        _dialect.ReadTime(reader, 4),
        ReadNullableTime(reader, 5),
        ReadNullableTime(reader, 6));

    /// <summary>Each grant as <c>pattern=flags</c> (a pattern contains neither '=' nor a space).</summary>
    private static string[] EncodeGrants(IReadOnlyList<TokenGrant> grants) =>
        [.. grants.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.CachePattern}={(int)g.Permissions}"))];

    private static IReadOnlyList<TokenGrant> DecodeGrants(IReadOnlyList<string> encoded) =>
    [
        .. encoded.Select(pair =>
        {
            var separator = pair.LastIndexOf('=');
            return new TokenGrant(pair[..separator], (Permission)int.Parse(pair.AsSpan(separator + 1), CultureInfo.InvariantCulture));
        }),
    ];
}
