namespace Larder.Server.Metadata;

/// <summary>
/// Everything Larder knows about caches, paths, NARs and tokens. Implementations (SQLite, PostgreSQL) must keep the
/// invariants of PRODUCT.md under concurrency from several server replicas: a commit is one transaction that checks
/// closure completeness and is safe to race with an identical commit.
/// Failures to reach the database surface as <see cref="MetadataUnavailableException"/>.
/// </summary>
public interface IMetadataStore
{
    /// <summary>Creates or upgrades the schema to the newest version. Idempotent; safe to run from several replicas.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    // Caches
    /// <summary>Inserts a cache (its Id is assigned). Throws <see cref="DuplicateNameException"/> if the name is taken.</summary>
    Task<CacheRecord> CreateCacheAsync(CacheRecord cache, CancellationToken cancellationToken);
    Task<CacheRecord?> GetCacheAsync(string name, CancellationToken cancellationToken);
    Task<IReadOnlyList<CacheRecord>> ListCachesAsync(CancellationToken cancellationToken);
    /// <summary>Updates the mutable settings (public, priority, upstream key names) of the cache with this Id.</summary>
    Task UpdateCacheAsync(CacheRecord cache, CancellationToken cancellationToken);
    /// <summary>Deletes the cache and its paths (NARs stay until maintenance finds them unreferenced).</summary>
    Task<bool> DeleteCacheAsync(long cacheId, CancellationToken cancellationToken);
    Task<CacheStats> GetCacheStatsAsync(long cacheId, CancellationToken cancellationToken);

    // Paths
    Task<PathWithNar?> GetPathAsync(long cacheId, string hashPart, CancellationToken cancellationToken);
    /// <summary>Of <paramref name="hashParts"/>, those the cache does not hold, in input order.</summary>
    Task<IReadOnlyList<string>> FindMissingAsync(long cacheId, IReadOnlyList<string> hashParts, CancellationToken cancellationToken);
    /// <summary>The NAR with this FileHash, if some path of this cache uses it (a cache never serves another's NARs).</summary>
    Task<NarRecord?> GetNarByFileHashAsync(long cacheId, string fileHash, CancellationToken cancellationToken);
    Task<NarRecord?> GetNarByNarHashAsync(string narHash, CancellationToken cancellationToken);
    /// <summary>Makes a path visible, atomically; see <see cref="CommitOutcome"/>.</summary>
    Task<CommitResult> CommitPathAsync(CommitRequest request, CancellationToken cancellationToken);
    /// <summary>Records that these paths were served at <paramref name="at"/> (batched by the caller).</summary>
    Task TouchPathsAsync(IReadOnlyCollection<(long CacheId, string HashPart)> paths, DateTimeOffset at, CancellationToken cancellationToken);

    // Two-step uploads (nix copy: PUT nar, then PUT narinfo)
    Task<StagedNarRecord> AddStagedNarAsync(StagedNarRecord staged, CancellationToken cancellationToken);
    /// <summary>The newest staged upload of this cache at this upload URL.</summary>
    Task<StagedNarRecord?> GetStagedNarAsync(long cacheId, string uploadUrl, CancellationToken cancellationToken);
    Task<IReadOnlyList<StagedNarRecord>> ListStagedNarsOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
    Task DeleteStagedNarAsync(long stagedId, CancellationToken cancellationToken);

    // Chunk bookkeeping for maintenance
    /// <summary>Whether any NAR or staged upload still refers to the blob at this storage key.</summary>
    Task<bool> IsStorageKeyReferencedAsync(string storageKey, CancellationToken cancellationToken);
    /// <summary>All NARs, in Id order, from <paramref name="afterId"/> (paging for verify).</summary>
    Task<IReadOnlyList<NarRecord>> ListNarsAsync(long afterId, int limit, CancellationToken cancellationToken);

    // Build logs
    Task PutBuildLogAsync(long cacheId, string drvName, string storageKey, CancellationToken cancellationToken);
    Task<string?> GetBuildLogKeyAsync(long cacheId, string drvName, CancellationToken cancellationToken);

    // Events
    Task AppendEventAsync(EventRecord record, CancellationToken cancellationToken);
    Task<IReadOnlyList<EventRecord>> ListEventsAsync(long cacheId, int limit, CancellationToken cancellationToken);

    // Tokens
    /// <summary>Inserts a token (its Id is assigned).</summary>
    Task<TokenRecord> CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken);
    Task<TokenRecord?> GetTokenBySecretHashAsync(string secretHash, CancellationToken cancellationToken);
    Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken);
    /// <summary>Marks the token revoked; returns false when no such token exists.</summary>
    Task<bool> RevokeTokenAsync(long tokenId, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>A unique name (cache) is already taken.</summary>
public sealed class DuplicateNameException(string name) : Exception($"the name '{name}' is already taken")
{
    public string Name { get; } = name;
}

/// <summary>The metadata database cannot be reached or failed transiently; maps to HTTP 503.</summary>
public sealed class MetadataUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
