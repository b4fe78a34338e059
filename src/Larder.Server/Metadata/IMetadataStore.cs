namespace Larder.Server.Metadata;

/// <summary>
/// Everything Larder knows about caches, paths, NARs and tokens. Implementations (SQLite, PostgreSQL) must keep the
/// invariants of PRODUCT.md under concurrency from several server replicas: a commit is one transaction that checks
/// closure completeness and is safe to race with an identical commit.
/// Failures to reach the database surface as <see cref="MetadataUnavailableException"/>.
/// <para>
/// Storage lifecycle: every NAR and chunk row counts its holders (paths for a NAR; NARs and staged uploads for a
/// chunk) in the same transaction that adds or removes them, and notes when the count fell to zero. Every blob key an
/// ingest is about to write is first recorded as an intent in the deletion queue (<see cref="RecordBlobIntentsAsync"/>);
/// the transaction that makes a row point at the key removes it from the queue. Maintenance deletes rows without
/// holders after a grace period, queueing their blobs, and then deletes the blobs that are due. So a blob is deleted
/// only once no row points at it, and a crash at any step leaves at worst a queued blob. Small packs skip the intent:
/// their bytes go into the database in the transaction that registers their chunks (<see cref="Storage.Inline.IInlineBlobTable"/>).
/// </para>
/// </summary>
public interface IMetadataStore : Storage.Inline.IInlineBlobTable
{
    /// <summary>Creates or upgrades the schema to the newest version. Idempotent; safe to run from several replicas.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    // Browsing (the dashboard)

    /// <summary>Up to <paramref name="limit"/> paths of the cache whose hash part starts with <paramref name="prefix"/>, by hash part.</summary>
    Task<IReadOnlyList<PathSummary>> FindPathsByHashPrefixAsync(long cacheId, string prefix, int limit, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> paths of the cache whose name (after <c>&lt;hash&gt;-</c>) starts with <paramref name="prefix"/>, by name.</summary>
    Task<IReadOnlyList<PathSummary>> FindPathsByNamePrefixAsync(long cacheId, string prefix, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> paths of the cache by name, then hash part, starting after the path named
    /// <paramref name="afterName"/> with hash part <paramref name="afterHashPart"/> (from the start when both are empty).
    /// </summary>
    Task<IReadOnlyList<PathSummary>> ListPathsByNameAsync(long cacheId, string afterName, string afterHashPart, int limit, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> paths of the cache that reference <paramref name="hashPart"/> directly.</summary>
    Task<IReadOnlyList<PathSummary>> ListDirectDependentsAsync(long cacheId, string hashPart, int limit, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> paths of the cache with the largest NARs, largest first.</summary>
    Task<IReadOnlyList<PathSummary>> ListLargestPathsAsync(long cacheId, int limit, CancellationToken cancellationToken);

    /// <summary>The cache's <paramref name="limit"/> newest pin revisions, of all its pins, newest first.</summary>
    Task<IReadOnlyList<PinHistoryEntry>> ListPinHistoryAsync(long cacheId, int limit, CancellationToken cancellationToken);

    // Traffic per cache and hour (see Traffic.TrafficRecorder)

    /// <summary>Adds these counts to the stored ones of their cache and hour; counts of a cache that no longer exists are dropped.</summary>
    Task AddTrafficAsync(IReadOnlyCollection<(long CacheId, TrafficHour Counts)> counts, CancellationToken cancellationToken);

    /// <summary>The cache's hours from <paramref name="from"/> on that had traffic, oldest first.</summary>
    Task<IReadOnlyList<TrafficHour>> ListTrafficAsync(long cacheId, DateTimeOffset from, CancellationToken cancellationToken);

    /// <summary>Deletes the traffic of hours that started before <paramref name="before"/>; returns how many rows went.</summary>
    Task<int> DeleteTrafficBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken);

    // Caches
    /// <summary>Inserts a cache (its Id is assigned). Throws <see cref="DuplicateNameException"/> if the name is taken.</summary>
    Task<CacheRecord> CreateCacheAsync(CacheRecord cache, CancellationToken cancellationToken);
    Task<CacheRecord?> GetCacheAsync(string name, CancellationToken cancellationToken);
    Task<IReadOnlyList<CacheRecord>> ListCachesAsync(CancellationToken cancellationToken);
    /// <summary>Updates the mutable settings (public, priority, upstream key names) of the cache with this Id.</summary>
    Task UpdateCacheAsync(CacheRecord cache, CancellationToken cancellationToken);
    /// <summary>
    /// Deletes the cache: its paths in bounded batches (releasing their NARs), its staged uploads, its artifact archives, and its build logs
    /// (queued for deletion). Blobs go when maintenance finds them without holders.
    /// </summary>
    Task<bool> DeleteCacheAsync(long cacheId, CancellationToken cancellationToken);

    /// <summary>A cache's path count and sizes: one cheap query (the dashboard's), whatever is being pushed or collected.</summary>
    Task<CacheStats> GetCacheStatsAsync(long cacheId, CancellationToken cancellationToken);

    /// <summary>
    /// Folds the size changes recorded since the last fold into each cache's totals, which keeps
    /// <see cref="GetCacheStatsAsync"/> cheap (commits record changes without touching the totals, so they never
    /// wait on each other there). Safe on every replica at once.
    /// </summary>
    Task FoldCacheStatsAsync(CancellationToken cancellationToken);

    // Paths
    Task<PathWithNar?> GetPathAsync(long cacheId, string hashPart, CancellationToken cancellationToken);
    /// <summary>Of <paramref name="hashParts"/>, those the cache does not hold, in input order.</summary>
    Task<IReadOnlyList<string>> FindMissingAsync(long cacheId, IReadOnlyList<string> hashParts, CancellationToken cancellationToken);
    /// <summary>The NAR with this FileHash, if some path of this cache uses it (a cache never serves another's NARs).</summary>
    Task<NarRecord?> GetNarByFileHashAsync(long cacheId, string fileHash, CancellationToken cancellationToken);
    Task<NarRecord?> GetNarByNarHashAsync(string narHash, CancellationToken cancellationToken);
    /// <summary>Makes a path visible, atomically; see <see cref="CommitOutcome"/>.</summary>
    Task<CommitResult> CommitPathAsync(CommitRequest request, CancellationToken cancellationToken);
    /// <summary>
    /// Deletes these paths of the cache, recording a <c>delete</c> event with <paramref name="reason"/> for each, and
    /// releases their NARs. A path that a path staying in the cache references is kept (closure completeness).
    /// </summary>
    Task<DeletePathsResult> DeletePathsAsync(
        long cacheId, IReadOnlyCollection<string> hashParts, string reason, long? tokenId, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>Records that these paths were served at <paramref name="at"/> (batched by the caller).</summary>
    Task TouchPathsAsync(IReadOnlyCollection<(long CacheId, string HashPart)> paths, DateTimeOffset at, CancellationToken cancellationToken);

    // Retention: garbage collection and deletion of paths. A path leaves only together with every path of the cache
    // that references it, transitively (its group), so the cache never serves a narinfo whose references it lacks.
    /// <summary>The cache's own retention settings (<see cref="RetentionSettings.None"/> for an unknown cache).</summary>
    Task<RetentionSettings> GetRetentionAsync(long cacheId, CancellationToken cancellationToken);
    /// <summary>Replaces the cache's own retention settings.</summary>
    Task SetRetentionAsync(long cacheId, RetentionSettings settings, CancellationToken cancellationToken);
    /// <summary>
    /// Up to <paramref name="limit"/> paths of the cache in least-recently-used order (last access, then hash part), after
    /// <paramref name="after"/>, last accessed before <paramref name="accessedBefore"/> when given (an indexed range scan).
    /// </summary>
    Task<IReadOnlyList<LruCursor>> ListLeastRecentlyUsedAsync(
        long cacheId, LruCursor? after, DateTimeOffset? accessedBefore, int limit, CancellationToken cancellationToken);
    /// <summary>
    /// Evicts the seeds' groups as <see cref="EvictionRequest"/> describes, in one transaction, recording an <c>evict</c>
    /// event with the request's reason for each path and releasing their NARs.
    /// </summary>
    Task<EvictionResult> EvictAsync(EvictionRequest request, CancellationToken cancellationToken);
    /// <summary>
    /// Deletes a path: when no path references it, or with <paramref name="recursive"/> together with its group; otherwise
    /// nothing changes and <see cref="PathDeletion.DirectDependents"/> names what refers to it. Records a <c>delete</c>
    /// event with <paramref name="reason"/> for each path. A dry run deletes nothing and answers the same.
    /// </summary>
    Task<PathDeletion> DeletePathAsync(
        long cacheId, string hashPart, bool recursive, bool dryRun, string reason, long? tokenId, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>
    /// What an eviction forecast of the path needs: the path, its dependents (up to <paramref name="dependentLimit"/>),
    /// how many paths were used less recently; roots are paths pushed after <paramref name="pushedBefore"/>. Null when
    /// the cache does not hold it.
    /// </summary>
    Task<PathRetentionFacts?> GetRetentionFactsAsync(
        long cacheId, string hashPart, DateTimeOffset pushedBefore, int dependentLimit, CancellationToken cancellationToken);

    // Pins (named, versioned store paths; each protected revision's closure is a root of retention: see IsRootSql)
    /// <summary>
    /// Adds a revision to a pin (creating the pin), naming a path whose whole closure the cache holds, protects that
    /// closure and releases the revisions the keep rule no longer covers, in one transaction. Refused (nothing changed,
    /// see <see cref="PinChange"/>) when the path or part of its closure is missing, or the revision to roll back to is unknown.
    /// </summary>
    Task<PinChange> SetPinAsync(PinUpdate update, CancellationToken cancellationToken);
    /// <summary>The cache's pins with their current revisions, by name.</summary>
    Task<IReadOnlyList<PinRecord>> ListPinsAsync(long cacheId, CancellationToken cancellationToken);
    /// <summary>One pin with its current revision; null when the cache has none of that name.</summary>
    Task<PinRecord?> GetPinAsync(long cacheId, string name, CancellationToken cancellationToken);
    /// <summary>Every revision of the pin, newest first (empty when there is no such pin).</summary>
    Task<IReadOnlyList<PinRevisionRecord>> ListPinRevisionsAsync(long cacheId, string name, CancellationToken cancellationToken);
    /// <summary>Deletes the pin and its history, so its closures lose their protection; false when there is no such pin.</summary>
    Task<bool> DeletePinAsync(long cacheId, string name, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>Releases the revisions whose <see cref="PinKeep.Days"/> ran out by <paramref name="now"/>; returns how many.</summary>
    Task<int> ReleaseLapsedPinRevisionsAsync(long cacheId, DateTimeOffset now, CancellationToken cancellationToken);
    /// <summary>The version of the cache's pins, counting every change.</summary>
    Task<PinsVersion> GetPinsVersionAsync(long cacheId, CancellationToken cancellationToken);

    // Two-step uploads (nix copy: PUT nar, then PUT narinfo)
    Task<StagedNarRecord> AddStagedNarAsync(StagedNarRecord staged, CancellationToken cancellationToken);
    /// <summary>The newest staged upload of this cache at this upload URL.</summary>
    Task<StagedNarRecord?> GetStagedNarAsync(long cacheId, string uploadUrl, CancellationToken cancellationToken);
    /// <summary>Deletes a staged upload, releasing its chunks and queueing its listing.</summary>
    Task DeleteStagedNarAsync(long stagedId, CancellationToken cancellationToken);

    // Resumable uploads (/api/v1 uploads): sessions and their parts live here and in the blob store, so any replica continues one
    /// <summary>Records a new, empty upload session.</summary>
    Task CreateUploadSessionAsync(UploadSessionRecord session, CancellationToken cancellationToken);
    /// <summary>
    /// The session <paramref name="id"/> of cache <paramref name="cacheId"/> with its parts, marked touched at
    /// <paramref name="now"/>; null when it is unknown, another cache's, or last touched before <paramref name="touchedAfter"/>.
    /// </summary>
    Task<UploadSessionRecord?> TouchUploadSessionAsync(
        long cacheId, string id, DateTimeOffset touchedAfter, DateTimeOffset now, CancellationToken cancellationToken);
    /// <summary>
    /// Appends the stored <paramref name="part"/> (its key announced with <see cref="RecordBlobIntentsAsync"/>, claimed
    /// here) when the session still holds exactly <c>part.Offset</c> bytes; otherwise queues the part's blob for deletion.
    /// </summary>
    Task<UploadPartResult> AddUploadPartAsync(string id, UploadPartRecord part, DateTimeOffset now, CancellationToken cancellationToken);
    /// <summary>Deletes a session (completed or abandoned) and queues its parts' blobs for deletion; false when it was gone.</summary>
    Task<bool> DeleteUploadSessionAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);
    /// <summary>Deletes up to <paramref name="limit"/> sessions last touched before <paramref name="cutoff"/>, as <see cref="DeleteUploadSessionAsync"/>; returns how many.</summary>
    Task<int> ExpireUploadSessionsAsync(DateTimeOffset cutoff, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a bad NAR and its damaged chunks (by hash) out of reuse, so a new upload of the same content stores fresh
    /// blobs instead of pointing at the quarantined ones.
    /// </summary>
    Task QuarantineNarAsync(long narId, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken);
    /// <summary>The paths, in every cache, whose NAR is <paramref name="narId"/> (for verify's quarantine).</summary>
    Task<IReadOnlyList<(long CacheId, string HashPart)>> ListPathsUsingNarAsync(long narId, CancellationToken cancellationToken);
    /// <summary>All NARs, in Id order, from <paramref name="afterId"/> (paging for verify).</summary>
    Task<IReadOnlyList<NarRecord>> ListNarsAsync(long afterId, int limit, CancellationToken cancellationToken);

    // Storage lifecycle (see the type's remarks)
    /// <summary>
    /// Queues <paramref name="storageKeys"/> for deletion at <paramref name="dueAt"/>, before the blobs are written; the
    /// transaction that makes a row point at a key takes it off the queue.
    /// </summary>
    Task RecordBlobIntentsAsync(IReadOnlyCollection<string> storageKeys, DateTimeOffset dueAt, CancellationToken cancellationToken);
    /// <summary>
    /// Takes or renews the lease <paramref name="name"/> for <paramref name="holder"/> until <paramref name="now"/> +
    /// <paramref name="duration"/>; false while another holder's lease has not expired.
    /// </summary>
    Task<bool> TryTakeLeaseAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);
    /// <summary>Gives up the lease if <paramref name="holder"/> holds it.</summary>
    Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken);
    /// <summary>Deletes up to <paramref name="limit"/> staged uploads created before <paramref name="cutoff"/>, as <see cref="DeleteStagedNarAsync"/>; returns how many.</summary>
    Task<int> ExpireStagedNarsAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken);
    /// <summary>
    /// Deletes up to <paramref name="limit"/> NARs without holders since before <paramref name="releasedBefore"/>,
    /// releasing their chunks and queueing their listings due at <paramref name="now"/>; returns how many.
    /// </summary>
    Task<int> ReapNarsAsync(DateTimeOffset releasedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken);
    /// <summary>
    /// Deletes up to <paramref name="limit"/> chunks without holders since before <paramref name="releasedBefore"/>,
    /// queueing their blobs due at <paramref name="now"/> (a pack's blob once its last chunk is deleted); returns how many.
    /// </summary>
    Task<int> ReapChunksAsync(DateTimeOffset releasedBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken);
    /// <summary>Up to <paramref name="limit"/> queued blob keys due by <paramref name="now"/>, oldest first, for the caller to delete.</summary>
    Task<IReadOnlyList<string>> ListDueBlobDeletionsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
    /// <summary>Takes keys whose blobs the caller deleted off the queue (a key claimed meanwhile was not due, and is not listed).</summary>
    Task CompleteBlobDeletionsAsync(IReadOnlyCollection<string> storageKeys, DateTimeOffset now, CancellationToken cancellationToken);
    /// <summary>
    /// Makes queued keys due by <paramref name="now"/> due again at <paramref name="retryAt"/>, for blobs the caller failed
    /// to delete, so they stop heading the queue; a key claimed meanwhile stays off it.
    /// </summary>
    Task PostponeBlobDeletionsAsync(IReadOnlyCollection<string> storageKeys, DateTimeOffset now, DateTimeOffset retryAt, CancellationToken cancellationToken);

    // Chunks (content-defined chunking: a NAR is an ordered list of chunks, each stored once across all caches)
    /// <summary>
    /// Of <paramref name="hashes"/> (<c>sha256:nix32</c> of a chunk's uncompressed bytes), the chunks the store holds,
    /// each once, in one indexed query. Found chunks that no NAR or staged upload holds get their release time moved
    /// forward to <paramref name="releasedAt"/> (never back), so a push that was told a chunk is present can still
    /// name it in its commit.
    /// </summary>
    Task<IReadOnlyList<ChunkRecord>> FindChunksAsync(IReadOnlyCollection<string> hashes, DateTimeOffset releasedAt, CancellationToken cancellationToken);
    /// <summary>
    /// Records a chunk whose blob was just written (its key announced by <see cref="RecordBlobIntentsAsync"/>), without
    /// a holder and released at <paramref name="releasedAt"/>, claiming the key's intent in the same transaction. When
    /// the store already holds a chunk with this hash, that one is returned (its release time moved forward as by
    /// <see cref="FindChunksAsync"/>) and the new blob is queued for deletion. Throws <see cref="UnknownChunksException"/>
    /// when the intent is gone (the blob may have been deleted): the chunk must be written again.
    /// </summary>
    Task<ChunkRecord> RegisterChunkAsync(ChunkRecord chunk, DateTimeOffset releasedAt, CancellationToken cancellationToken);
    /// <summary>
    /// Registers the chunks of the pack blob <paramref name="packKey"/> (written after its intent was recorded) like
    /// <see cref="RegisterChunkAsync"/>, in one transaction that claims the pack's intent; returns, in order, each
    /// chunk's record, or that of the same chunk already stored (whose bytes in this pack are then never read). A pack
    /// none of whose chunks was new is queued for deletion. Throws <see cref="UnknownChunksException"/> when the intent
    /// is gone: the pack must be written again.
    /// </summary>
    Task<IReadOnlyList<ChunkRecord>> RegisterPackAsync(
        string packKey, IReadOnlyList<ChunkRecord> chunks, DateTimeOffset releasedAt, CancellationToken cancellationToken);
    /// <summary>
    /// Up to <paramref name="limit"/> NARs after <paramref name="afterId"/>, in Id order, still stored as one chunk and
    /// larger than <paramref name="minNarSize"/> bytes: what <c>larder admin rechunk</c> converts.
    /// </summary>
    Task<IReadOnlyList<NarRecord>> ListSingleChunkNarsAsync(long afterId, long minNarSize, int limit, CancellationToken cancellationToken);
    /// <summary>
    /// Replaces the chunk list and file form of NAR <paramref name="narId"/> in one transaction, if it still has
    /// <paramref name="expectedFileHash"/> (false otherwise, changing nothing): its chunks gain a holder, the old ones
    /// lose one (released at <paramref name="now"/>), and the old FileHash stays an alias of the NAR, so narinfos
    /// fetched before still download. Chunks must be registered (<see cref="RegisterChunkAsync"/>); an unknown one
    /// throws <see cref="UnknownChunksException"/>.
    /// </summary>
    Task<bool> ReplaceNarChunksAsync(
        long narId, string expectedFileHash, string fileHash, long fileSize, IReadOnlyList<ChunkRecord> chunks, DateTimeOffset now, CancellationToken cancellationToken);

    // Build logs
    /// <summary>Records the log of <paramref name="drvName"/>, taking <paramref name="storageKey"/> off the deletion queue and queueing the key it replaces.</summary>
    Task PutBuildLogAsync(long cacheId, string drvName, string storageKey, CancellationToken cancellationToken);
    Task<string?> GetBuildLogKeyAsync(long cacheId, string drvName, CancellationToken cancellationToken);

    // Build-artifact archives: keyed uploads per cache, each an ordered list of chunks holding them like a NAR does
    /// <summary>
    /// Records an uploaded archive (its Id is assigned), taking a holder on each chunk. A chunk reaped meanwhile throws
    /// <see cref="UnknownChunksException"/>; nothing is recorded then.
    /// </summary>
    Task<ArtifactRecord> AddArtifactAsync(ArtifactRecord artifact, CancellationToken cancellationToken);
    /// <summary>
    /// The newest upload under the first of <paramref name="keys"/> that has one, with its chunks, its last use set to
    /// <paramref name="usedAt"/>; null when none has.
    /// </summary>
    Task<ArtifactRecord?> FindArtifactAsync(long cacheId, IReadOnlyList<string> keys, DateTimeOffset usedAt, CancellationToken cancellationToken);
    /// <summary>Every upload of the cache (without chunks), by key, newest first within a key.</summary>
    Task<IReadOnlyList<ArtifactRecord>> ListArtifactsAsync(long cacheId, CancellationToken cancellationToken);
    /// <summary>Deletes every upload under <paramref name="key"/>, releasing their chunks; returns how many.</summary>
    Task<int> DeleteArtifactsAsync(long cacheId, string key, CancellationToken cancellationToken);
    /// <summary>Deletes the uploads of the cache that <paramref name="prune"/> rules out, releasing their chunks; returns how many.</summary>
    Task<int> PruneArtifactsAsync(long cacheId, ArtifactPrune prune, CancellationToken cancellationToken);
    /// <summary>The cache's own artifact retention limits (<see cref="ArtifactRetentionSettings.None"/> when it has none).</summary>
    Task<ArtifactRetentionSettings> GetArtifactRetentionAsync(long cacheId, CancellationToken cancellationToken);
    /// <summary>Replaces the cache's own artifact retention limits.</summary>
    Task SetArtifactRetentionAsync(long cacheId, ArtifactRetentionSettings settings, CancellationToken cancellationToken);

    // Events (pushes are recorded by CommitPathAsync, deletions by DeletePathsAsync)
    Task<IReadOnlyList<EventRecord>> ListEventsAsync(long cacheId, int limit, CancellationToken cancellationToken);

    // Explain (larder explain): what a cache knows about many paths, in a few queries whatever their number
    /// <summary>
    /// One answer per query, in query order: the path if present (with sizes, references, signatures), the latest event
    /// about it (by full store path with one index probe; a bare hash part of an absent path scans the cache's events), and
    /// for an absent path asked by full store path up to <paramref name="sameNameLimit"/> present paths with its name.
    /// <paramref name="storeDir"/> is the cache's store directory (where hash part and name start in a store path).
    /// </summary>
    Task<IReadOnlyList<PathStatusFacts>> GetPathStatusesAsync(
        long cacheId, string storeDir, IReadOnlyList<PathStatusQuery> queries, int sameNameLimit, CancellationToken cancellationToken);

    // Signing keys
    /// <summary>Replaces the cache's secret signing key; false when the cache does not exist.</summary>
    Task<bool> SetSigningKeyAsync(long cacheId, string signingKey, CancellationToken cancellationToken);
    /// <summary>Up to <paramref name="limit"/> paths of the cache after <paramref name="afterHashPart"/>, by hash part, with what signing needs.</summary>
    Task<IReadOnlyList<PathToSign>> ListPathsToSignAsync(long cacheId, string afterHashPart, int limit, CancellationToken cancellationToken);
    /// <summary>Replaces the signatures of these paths of the cache (in one transaction).</summary>
    Task SetPathSignaturesAsync(long cacheId, IReadOnlyCollection<(string HashPart, IReadOnlyList<string> Signatures)> paths, CancellationToken cancellationToken);

    // Tokens
    /// <summary>
    /// Inserts a token (its Id is assigned). Throws <see cref="RevokedCreatorException"/> when its
    /// <see cref="TokenRecord.CreatedBy"/> is revoked (checked under a lock, so a token never outlives a racing revocation).
    /// </summary>
    Task<TokenRecord> CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken);
    Task<TokenRecord?> GetTokenBySecretHashAsync(string secretHash, CancellationToken cancellationToken);
    Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken);
    /// <summary>Up to <paramref name="limit"/> tokens with ids below <paramref name="beforeId"/>, newest first (one primary-key range).</summary>
    Task<IReadOnlyList<TokenRecord>> ListTokensBeforeAsync(long beforeId, int limit, CancellationToken cancellationToken);
    /// <summary>
    /// Revokes the token and every token it created, transitively, in one transaction; refuses (changing nothing) when
    /// that would leave no unrevoked, unexpired token with admin on <c>*</c>. Revoking twice keeps the first time.
    /// </summary>
    Task<TokenRevocation> RevokeTokenAsync(long tokenId, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>Records that the tokens were used at <paramref name="at"/> (one batched write; never moves a time back).</summary>
    Task TouchTokensAsync(IReadOnlyCollection<long> tokenIds, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>
    /// First-start initialisation, exactly once across replicas: claims the first-start row and, in the same
    /// transaction, runs <paramref name="beforeCommit"/> and inserts <paramref name="admin"/>. Returns false, doing
    /// nothing, when another start (now or earlier) claimed it.
    /// </summary>
    Task<bool> InitializeOnceAsync(TokenRecord admin, Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken);

    // OIDC trust policies and the token event log (token creation and revocation are recorded by the token methods)
    /// <summary>Inserts a policy (its Id is assigned). Throws <see cref="DuplicateNameException"/> if the name is taken.</summary>
    Task<Access.Oidc.OidcPolicyRecord> CreateOidcPolicyAsync(Access.Oidc.OidcPolicyRecord policy, CancellationToken cancellationToken);
    /// <summary>All policies, by name.</summary>
    Task<IReadOnlyList<Access.Oidc.OidcPolicyRecord>> ListOidcPoliciesAsync(CancellationToken cancellationToken);
    /// <summary>The policies for exactly this issuer, by Id.</summary>
    Task<IReadOnlyList<Access.Oidc.OidcPolicyRecord>> ListOidcPoliciesForIssuerAsync(string issuer, CancellationToken cancellationToken);
    /// <summary>Deletes a policy (tokens it issued live on until they expire); false when none has this Id.</summary>
    Task<bool> DeleteOidcPolicyAsync(long policyId, CancellationToken cancellationToken);
    /// <summary>
    /// Inserts a token issued under the policies <paramref name="policyIds"/> with an <see cref="TokenEventKinds.OidcExchange"/>
    /// event carrying <paramref name="detail"/>, in one transaction; null (nothing inserted) when one was deleted meanwhile.
    /// </summary>
    Task<TokenRecord?> IssueOidcTokenAsync(TokenRecord token, IReadOnlyCollection<long> policyIds, string detail, CancellationToken cancellationToken);
    /// <summary>Records a <see cref="TokenEventKinds.Write"/> event for each token without one since <paramref name="at"/> − <see cref="TokenEventKinds.WriteInterval"/>.</summary>
    Task RecordTokenWritesAsync(IReadOnlyCollection<long> tokenIds, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>The newest <paramref name="limit"/> token events, newest first; only those of <paramref name="tokenId"/> when given.</summary>
    Task<IReadOnlyList<TokenEventRecord>> ListTokenEventsAsync(long? tokenId, int limit, CancellationToken cancellationToken);

    // Serving changes between replicas (what their in-memory narinfo answers must forget: BinaryCache.Serving)
    /// <summary>
    /// Tells every replica listening with <see cref="ListenForServingChangesAsync"/> about <paramref name="notice"/>
    /// (PostgreSQL: NOTIFY; an embedded SQLite database has no other replica to tell, so nothing).
    /// </summary>
    Task PublishServingChangeAsync(string notice, CancellationToken cancellationToken);
    /// <summary>
    /// Listens for notices published by any replica, this one included: calls <paramref name="onListening"/> once
    /// notices are heard (earlier ones may have been missed), then <paramref name="onNotice"/> for each, until cancelled
    /// or the connection fails (which throws).
    /// </summary>
    Task ListenForServingChangesAsync(Action onListening, Action<string> onNotice, CancellationToken cancellationToken);

    // Health and statistics
    /// <summary>Runs one trivial query; throws <see cref="MetadataUnavailableException"/> when the database cannot answer.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>A token cannot be created because the token creating it has been revoked.</summary>
public sealed class RevokedCreatorException(long creatorId) : Exception($"the creating token {creatorId} has been revoked");

/// <summary>A unique name (cache) is already taken.</summary>
public sealed class DuplicateNameException(string name) : Exception($"the name '{name}' is already taken")
{
    public string Name { get; } = name;
}

/// <summary>The store holds no chunk with these hashes (never uploaded, or deleted since): they must be uploaded again.</summary>
public sealed class UnknownChunksException(IReadOnlyList<string> hashes)
    : Exception($"the server does not hold chunk{(hashes.Count == 1 ? "" : "s")} {Describe(hashes)}: upload {(hashes.Count == 1 ? "it" : "them")} (again)")
{
    /// <summary>How many hashes a message names before it says how many more there are.</summary>
    public const int Named = 5;

    /// <summary>The hashes, <c>sha256:nix32</c>.</summary>
    public IReadOnlyList<string> Hashes { get; } = hashes;

    private static string Describe(IReadOnlyList<string> hashes) =>
        string.Join(", ", hashes.Take(Named)) + (hashes.Count > Named ? $" (and {hashes.Count - Named} more)" : "");
}

/// <summary>The metadata database cannot be reached or failed transiently; maps to HTTP 503.</summary>
public sealed class MetadataUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
