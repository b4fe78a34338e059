using System.Globalization;
using Npgsql;

namespace Larder.Server.Metadata.Postgres;

public sealed partial class PostgresMetadataStore
{
    private const string TokenColumns = "id, description, secret_hash, grants, created_at, expires_at, revoked_at";

    /// <inheritdoc />
    public Task<TokenRecord> CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return RunAsync(async (connection, ct) =>
        {
            var id = (long)(await Scalar(
                connection,
                null,
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
    public Task<TokenRecord?> GetTokenBySecretHashAsync(string secretHash, CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
    {
        await using var command = Command(connection, null, $"SELECT {TokenColumns} FROM tokens WHERE secret_hash = $1;", secretHash);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadToken(reader) : null;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
    {
        await using var command = Command(connection, null, $"SELECT {TokenColumns} FROM tokens ORDER BY id;");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var tokens = new List<TokenRecord>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            tokens.Add(ReadToken(reader));
        }
        return (IReadOnlyList<TokenRecord>)tokens;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RevokeTokenAsync(long tokenId, DateTimeOffset at, CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
        // Revoking twice keeps the first revocation time.
        await Execute(connection, null, "UPDATE tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1;", ct, tokenId, at)
            .ConfigureAwait(false) > 0,
        cancellationToken);

    private static TokenRecord ReadToken(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        DecodeGrants(reader.GetFieldValue<string[]>(3)),
        ReadTime(reader, 4),
        ReadNullableTime(reader, 5),
        ReadNullableTime(reader, 6));

    /// <summary>Each grant as <c>pattern=flags</c> (a pattern never contains '=').</summary>
    private static string[] EncodeGrants(IReadOnlyList<TokenGrant> grants) =>
        [.. grants.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.CachePattern}={(int)g.Permissions}"))];

    private static IReadOnlyList<TokenGrant> DecodeGrants(string[] encoded) =>
    [
        .. encoded.Select(pair =>
        {
            var separator = pair.LastIndexOf('=');
            return new TokenGrant(pair[..separator], (Permission)int.Parse(pair.AsSpan(separator + 1), CultureInfo.InvariantCulture));
        }),
    ];
}
