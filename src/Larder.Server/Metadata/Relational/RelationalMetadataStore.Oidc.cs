using System.Data.Common;
using System.Globalization;
using Larder.Server.Access.Oidc;

namespace Larder.Server.Metadata.Relational;

public abstract partial class RelationalMetadataStore
{
    private const string PolicyColumns = "id, name, issuer, audience, conditions, grants, lifetime_seconds, created_at, created_by";

    /// <inheritdoc />
    public Task<OidcPolicyRecord> CreateOidcPolicyAsync(OidcPolicyRecord policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return RunWriteAsync(async (session, ct) =>
        {
            try
            {
                var id = (long)(await session.ScalarAsync(
                    """
                    INSERT INTO oidc_policies (name, issuer, audience, conditions, grants, lifetime_seconds, created_at, created_by)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id;
                    """,
                    ct,
                    policy.Name,
                    policy.Issuer,
                    policy.Audience,
                    EncodeConditions(policy.Conditions),
                    EncodeGrants(policy.Grants),
                    (int)policy.Lifetime.TotalSeconds,
                    policy.CreatedAt,
                    policy.CreatedBy).ConfigureAwait(false))!;
                return policy with { Id = id };
            }
            catch (DbException e) when (_dialect.IsUniqueViolation(e))
            {
                throw new DuplicateNameException(policy.Name);
            }
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OidcPolicyRecord>> ListOidcPoliciesAsync(CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(session, $"SELECT {PolicyColumns} FROM oidc_policies ORDER BY name;", ReadPolicy, ct),
        cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<OidcPolicyRecord>> ListOidcPoliciesForIssuerAsync(string issuer, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(session, $"SELECT {PolicyColumns} FROM oidc_policies WHERE issuer = $1 ORDER BY id;", ReadPolicy, ct, issuer),
        cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteOidcPolicyAsync(long policyId, CancellationToken cancellationToken) => RunWriteAsync(
        async (session, ct) => await session.ExecuteAsync("DELETE FROM oidc_policies WHERE id = $1;", ct, policyId).ConfigureAwait(false) > 0,
        cancellationToken);

    /// <inheritdoc />
    public Task<TokenRecord?> IssueOidcTokenAsync(TokenRecord token, IReadOnlyCollection<long> policyIds, string detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(policyIds);
        var ids = new TextSet([.. policyIds.Distinct().Order().Select(id => id.ToString(CultureInfo.InvariantCulture))]);
        return RunWriteAsync<TokenRecord?>(async (session, ct) =>
        {
            // Locks the policy rows: a deletion racing with the exchange either runs first (and this sees it) or waits.
            var found = await ReadAllAsync(
                session,
                $"SELECT p.id FROM oidc_policies p WHERE p.id IN (SELECT CAST(t.h AS BIGINT) FROM {_dialect.TextSetSource(1, "t")}) {_dialect.ForUpdateOf("p")};",
                reader => reader.GetInt64(0),
                ct,
                ids).ConfigureAwait(false);
            if (found.Count != ids.Items.Count)
            {
                return null;
            }
            return await InsertTokenAsync(session, token, TokenEventKinds.OidcExchange, detail, ct).ConfigureAwait(false);
        }, cancellationToken, idempotent: false);
    }

    /// <inheritdoc />
    public Task RecordTokenWritesAsync(IReadOnlyCollection<long> tokenIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Count == 0)
        {
            return Task.CompletedTask;
        }
        return RunWriteAsync(async (session, ct) =>
        {
            foreach (var id in tokenIds.Distinct().Order())
            {
                await session.ExecuteAsync(
                    """
                    INSERT INTO token_events (token_id, kind, at)
                    SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM token_events WHERE token_id = $1 AND kind = $2 AND at > $4);
                    """,
                    ct,
                    id,
                    TokenEventKinds.Write,
                    at,
                    at - TokenEventKinds.WriteInterval).ConfigureAwait(false);
            }
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TokenEventRecord>> ListTokenEventsAsync(long? tokenId, int limit, CancellationToken cancellationToken) => RunAsync(
        (session, ct) => ReadAllAsync(
            session,
            tokenId is null
                ? "SELECT id, token_id, kind, at, detail FROM token_events ORDER BY id DESC LIMIT $1;"
                : "SELECT id, token_id, kind, at, detail FROM token_events WHERE token_id = $2 ORDER BY id DESC LIMIT $1;",
            reader => new TokenEventRecord(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.GetString(2),
                _dialect.ReadTime(reader, 3),
                ReadNullableString(reader, 4)),
            ct,
            tokenId is null ? [limit] : [limit, tokenId]),
        cancellationToken);

    private static Task InsertTokenEventAsync(DbSession session, long tokenId, string kind, DateTimeOffset at, string? detail, CancellationToken ct) =>
        session.ExecuteAsync("INSERT INTO token_events (token_id, kind, at, detail) VALUES ($1, $2, $3, $4);", ct, tokenId, kind, at, detail);

    private OidcPolicyRecord ReadPolicy(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        DecodeConditions(reader.GetString(4)),
        DecodeGrants(_dialect.ReadList(reader, 5)),
        TimeSpan.FromSeconds(reader.GetInt32(6)),
        _dialect.ReadTime(reader, 7),
        reader.IsDBNull(8) ? null : reader.GetInt64(8));

    /// <summary>One line per condition: <c>claim TAB exact|glob TAB value</c> (names and values hold no control characters).</summary>
    private static string EncodeConditions(IReadOnlyList<ClaimCondition> conditions) =>
        string.Join('\n', conditions.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Claim}\t{(c.IsGlob ? "glob" : "exact")}\t{c.Value}")));

    private static IReadOnlyList<ClaimCondition> DecodeConditions(string encoded) =>
    [
        .. encoded.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var parts = line.Split('\t', 3);
            return new ClaimCondition(parts[0], parts[2], parts[1] == "glob");
        }),
    ];
}
