using System.Data.Common;
using System.Globalization;
using Larder.Server.Access;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string TokenColumns = "id, description, secret_hash, grants, created_at, expires_at, revoked_at, created_by, last_used_at";

    /// <inheritdoc />
    public Task<TokenRecord> CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return RunWriteAsync(async (session, ct) =>
        {
            var detail = "created on the server machine";
            if (token.CreatedBy is { } creator)
            {
                // Locks the creator's row: a revocation racing with this insert either runs first (and this sees it)
                // or waits and then finds the new token in its cascade.
                await using var reader = await session.ReaderAsync(
                    $"SELECT t.revoked_at FROM tokens t WHERE t.id = $1 {_dialect.ForUpdateOf("t")};", ct, creator).ConfigureAwait(false);
                if (!await reader.ReadAsync(ct).ConfigureAwait(false) || !reader.IsDBNull(0))
                {
                    throw new RevokedCreatorException(creator);
                }
                detail = $"created by token {creator}";
            }
            return await InsertTokenAsync(session, token, TokenEventKinds.Create, detail, ct).ConfigureAwait(false);
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<bool> InitializeOnceAsync(TokenRecord admin, Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        return RunWriteAsync(async (session, ct) =>
        {
            // A second replica's insert waits for the first one's transaction, then finds the row and does nothing.
            var claimed = await session.ExecuteAsync(
                "INSERT INTO first_start (id, done_at) VALUES (1, $1) ON CONFLICT DO NOTHING;", ct, admin.CreatedAt).ConfigureAwait(false);
            if (claimed == 0)
            {
                return false;
            }
            await beforeCommit(ct).ConfigureAwait(false);
            await InsertTokenAsync(session, admin, TokenEventKinds.Create, "created at first start", ct).ConfigureAwait(false);
            return true;
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
    public Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(session, $"SELECT {TokenColumns} FROM tokens ORDER BY id;", ReadToken, ct),
        cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<TokenRecord>> ListTokensBeforeAsync(long beforeId, int limit, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(session, $"SELECT {TokenColumns} FROM tokens WHERE id < $1 ORDER BY id DESC LIMIT $2;", ReadToken, ct, beforeId, limit),
        cancellationToken);

    /// <inheritdoc />
    public Task<TokenRevocation> RevokeTokenAsync(long tokenId, DateTimeOffset at, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) =>
        {
            // Locking every live token serialises revocations, so two racing ones cannot each revoke "another" last admin.
            var liveAdmins = new List<long>();
            var found = false;
            await using (var reader = await session.ReaderAsync(
                $"SELECT t.id, t.grants, t.expires_at, t.revoked_at FROM tokens t WHERE t.revoked_at IS NULL OR t.id = $1 {_dialect.ForUpdateOf("t")};",
                ct,
                tokenId).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var id = reader.GetInt64(0);
                    found |= id == tokenId;
                    var live = reader.IsDBNull(3) && (ReadNullableTime(reader, 2) is not { } expiry || expiry > at);
                    if (live && Grants.IsGlobalAdmin(DecodeGrants(_dialect.ReadList(reader, 1))))
                    {
                        liveAdmins.Add(id);
                    }
                }
            }
            if (!found)
            {
                return TokenRevocation.NotFound;
            }
            var cascade = new HashSet<long>();
            await using (var reader = await session.ReaderAsync($"{RevocationCascadeSql} SELECT id FROM lineage;", ct, tokenId).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    cascade.Add(reader.GetInt64(0));
                }
            }
            if (liveAdmins.Count > 0 && liveAdmins.All(cascade.Contains))
            {
                return TokenRevocation.RefusedLastAdmin;
            }
            var newlyRevoked = await ReadAllAsync(
                session,
                $"{RevocationCascadeSql} SELECT t.id FROM tokens t WHERE t.id IN (SELECT id FROM lineage) AND t.revoked_at IS NULL ORDER BY t.id;",
                reader => reader.GetInt64(0),
                ct,
                tokenId).ConfigureAwait(false);
            await session.ExecuteAsync(
                $"{RevocationCascadeSql} UPDATE tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id IN (SELECT id FROM lineage);",
                ct,
                tokenId,
                at).ConfigureAwait(false);
            foreach (var id in newlyRevoked)
            {
                var detail = id == tokenId ? "revoked" : $"revoked with token {tokenId}, which created it (directly or not)";
                await InsertTokenEventAsync(session, id, TokenEventKinds.Revoke, at, detail, ct).ConfigureAwait(false);
            }
            return TokenRevocation.Revoked;
        },
        cancellationToken);

    /// <inheritdoc />
    public Task TouchTokensAsync(IReadOnlyCollection<long> tokenIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Count == 0)
        {
            return Task.CompletedTask;
        }
        var ids = new TextSet([.. tokenIds.Distinct().Order().Select(id => id.ToString(CultureInfo.InvariantCulture))]);
        return RunWriteAsync(
            async (session, ct) => await session.ExecuteAsync(
                $"""
                UPDATE tokens SET last_used_at = {_dialect.Greatest}(COALESCE(last_used_at, $2), $2)
                WHERE id IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")});
                """,
                ct,
                ids,
                at).ConfigureAwait(false),
            cancellationToken);
    }

    /// <summary>A <c>lineage (id)</c> CTE: token <c>$1</c> and every token it created, transitively.</summary>
    private const string RevocationCascadeSql = """
        WITH RECURSIVE lineage (id) AS (
            SELECT id FROM tokens WHERE id = $1
            UNION
            SELECT t.id FROM tokens t JOIN lineage c ON t.created_by = c.id
        )
        """;

    /// <summary>Inserts the token and its creation event (<paramref name="kind"/>, <paramref name="detail"/>).</summary>
    private async Task<TokenRecord> InsertTokenAsync(DbSession session, TokenRecord token, string kind, string detail, CancellationToken ct)
    {
        var id = (long)(await session.ScalarAsync(
            """
            INSERT INTO tokens (description, secret_hash, grants, created_at, expires_at, revoked_at, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id;
            """,
            ct,
            token.Description,
            token.SecretHash,
            EncodeGrants(token.Grants),
            token.CreatedAt,
            token.ExpiresAt,
            token.RevokedAt,
            token.CreatedBy).ConfigureAwait(false))!;
        await InsertTokenEventAsync(session, id, kind, token.CreatedAt, detail, ct).ConfigureAwait(false);
        return token with { Id = id };
    }

    private TokenRecord ReadToken(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        DecodeGrants(_dialect.ReadList(reader, 3)),
        _dialect.ReadTime(reader, 4),
        ReadNullableTime(reader, 5),
        ReadNullableTime(reader, 6),
        reader.IsDBNull(7) ? null : reader.GetInt64(7),
        ReadNullableTime(reader, 8));

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
