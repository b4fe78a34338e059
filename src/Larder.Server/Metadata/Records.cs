namespace Larder.Server.Metadata;

/// <summary>
/// A named cache. <see cref="SigningKey"/> is the secret key in Nix's <c>name:base64</c> form; <see cref="Upstreams"/>
/// its read-through upstream caches (null: none).
/// </summary>
public sealed record CacheRecord(
    long Id,
    string Name,
    bool IsPublic,
    int Priority,
    string StoreDir,
    string SigningKey,
    IReadOnlyList<string> UpstreamKeyNames,
    DateTimeOffset CreatedAt,
    Upstreams.CacheUpstreams? Upstreams = null);

/// <summary>
/// One stored piece of a NAR. <see cref="Hash"/> (<c>sha256:nix32</c> of the uncompressed bytes) identifies it;
/// <see cref="StoredHash"/>/<see cref="StoredSize"/> describe its compressed bytes. A chunk is either its own blob at
/// <see cref="StorageKey"/>, or (when <see cref="PackKey"/> is set) the bytes <c>[PackOffset, PackOffset +
/// StoredSize)</c> of the pack blob <see cref="PackKey"/>; then <see cref="StorageKey"/> is only the chunk's unique
/// name inside that pack (<c>&lt;pack key&gt;#&lt;offset&gt;</c>), never a blob.
/// </summary>
public sealed record ChunkRecord(
    string Hash, string StorageKey, long Size, string StoredHash, long StoredSize, string Compression, string? PackKey = null, long PackOffset = 0)
{
    /// <summary>The blob holding the chunk's stored bytes.</summary>
    public string BlobKey => PackKey ?? StorageKey;

    /// <summary>Where in <see cref="BlobKey"/> the stored bytes start.</summary>
    public long BlobOffset => PackKey is null ? 0 : PackOffset;
}

/// <summary>
/// A NAR stored once across all caches, keyed by <see cref="NarHash"/>. Its file form (what clients download as
/// <c>nar/&lt;FileHash&gt;.nar.zst</c>) is the concatenation of its chunks' stored bytes, in order.
/// </summary>
public sealed record NarRecord(
    long Id,
    string NarHash,
    long NarSize,
    string Compression,
    string FileHash,
    long FileSize,
    IReadOnlyList<ChunkRecord> Chunks,
    string? ListingKey,
    DateTimeOffset CreatedAt);

/// <summary>
/// A store path as present in one cache. References and Deriver are base names (<c>hash-name</c>); <see cref="Origin"/>
/// is the upstream URL it came through (read-through), null when it was pushed.
/// </summary>
public sealed record PathRecord(
    long CacheId,
    string HashPart,
    string StorePath,
    long NarId,
    IReadOnlyList<string> References,
    string? Deriver,
    IReadOnlyList<string> Signatures,
    string? Ca,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastAccessedAt,
    string? Origin = null);

/// <summary>What signing a path needs: its full store path, references (base names), NAR hash and size, and signatures.</summary>
public sealed record PathToSign(string HashPart, string StorePath, IReadOnlyList<string> References, string NarHash, long NarSize, IReadOnlyList<string> Signatures);

/// <summary>A path together with the NAR it points to: everything a narinfo needs.</summary>
public sealed record PathWithNar(PathRecord Path, NarRecord Nar);

/// <summary>
/// A NAR that a client uploaded (Nix's <c>PUT nar/…</c>) and the server verified and stored, waiting for the narinfo
/// that makes it visible. <see cref="UploadUrl"/> is the cache-relative URL it was PUT to (<c>nar/x.nar.xz</c>);
/// <see cref="UploadFileHash"/>/<see cref="UploadFileSize"/> describe the bytes as the client sent them.
/// </summary>
public sealed record StagedNarRecord(
    long Id,
    long CacheId,
    string UploadUrl,
    string UploadFileHash,
    long UploadFileSize,
    string NarHash,
    long NarSize,
    string FileHash,
    long FileSize,
    IReadOnlyList<ChunkRecord> Chunks,
    string? ListingKey,
    DateTimeOffset CreatedAt);

/// <summary>What a token may do.</summary>
[Flags]
public enum Permission
{
    None = 0,
    Read = 1,
    Write = 2,
    Delete = 4,
    /// <summary>Configure/delete matching caches; on pattern <c>*</c> also create caches and manage tokens.</summary>
    Admin = 8,
}

/// <summary>Permissions on the caches whose names match <see cref="CachePattern"/> (exact, or a trailing <c>*</c> glob).</summary>
public sealed record TokenGrant(string CachePattern, Permission Permissions);

/// <summary>
/// An API token. Only the SHA-256 (hex) of its secret is ever stored. <see cref="CreatedBy"/> is the token that created
/// it (null for tokens made at first start or by <c>larder admin create-token</c>); revoking a token revokes every token
/// it created, transitively. <see cref="LastUsedAt"/> is written in batches, so it may lag by a few seconds.
/// </summary>
public sealed record TokenRecord(
    long Id,
    string Description,
    string SecretHash,
    IReadOnlyList<TokenGrant> Grants,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    long? CreatedBy = null,
    DateTimeOffset? LastUsedAt = null);

/// <summary>What <c>RevokeTokenAsync</c> did.</summary>
public enum TokenRevocation
{
    /// <summary>No token has that id.</summary>
    NotFound,
    /// <summary>The token and every token it created (transitively) are revoked.</summary>
    Revoked,
    /// <summary>Nothing changed: the revocation would leave no unrevoked, unexpired token with admin on <c>*</c>.</summary>
    RefusedLastAdmin,
}

/// <summary>An entry of the per-cache event log (pushes, deletions with their <see cref="Reason"/>).</summary>
public sealed record EventRecord(long Id, long CacheId, string Kind, string StorePath, long? TokenId, DateTimeOffset At, string? Reason = null);

/// <summary>Size figures for one cache.</summary>
public sealed record CacheStats(long PathCount, long NarBytes, long StoredBytes);

/// <summary>Everything needed to make one path visible in a cache, in one transaction.</summary>
/// <param name="Nar">The NAR; its Id is ignored (an existing NAR with the same NarHash is reused).</param>
/// <param name="StagedNarId">A staged upload to consume, if the NAR came through Nix's two-step upload.</param>
/// <param name="Origin">The upstream URL a read-through path came from (null for a push).</param>
/// <param name="ServingNotice">
/// A serving change the store publishes to every replica (as <see cref="IMetadataStore.PublishServingChangeAsync"/>
/// does) in the commit's own transaction, when it commits (committed, or already present with signatures merged).
/// </param>
public sealed record CommitRequest(
    long CacheId,
    string HashPart,
    string StorePath,
    NarRecord Nar,
    IReadOnlyList<string> References,
    string? Deriver,
    IReadOnlyList<string> Signatures,
    string? Ca,
    long? StagedNarId,
    long? TokenId,
    DateTimeOffset At,
    IReadOnlyCollection<string>? UpstreamReferences = null,
    string? Origin = null,
    string? ServingNotice = null)
{
    /// <summary>
    /// The references (base names, with their hash parts) the cache must already hold: all but the path itself and
    /// those in <see cref="UpstreamReferences"/> (which clients substitute from upstream).
    /// </summary>
    public IEnumerable<(string Reference, string HashPart)> ReferencesToCheck() => References
        .Distinct(StringComparer.Ordinal)
        .Select(reference => (Reference: reference, HashPart: reference.Length >= 32 ? reference[..32] : reference))
        .Where(r => r.HashPart != HashPart && UpstreamReferences?.Contains(r.Reference) != true);
}

/// <summary>How a commit ended.</summary>
public enum CommitOutcome
{
    /// <summary>The path is now visible.</summary>
    Committed,
    /// <summary>The cache already had this path with the same NarHash; signatures were merged.</summary>
    AlreadyPresent,
    /// <summary>The cache already has this store path with a different NarHash; nothing changed.</summary>
    Conflict,
    /// <summary>Some references are not in the cache; nothing changed.</summary>
    MissingReferences,
}

/// <summary>Result of <see cref="IMetadataStore.CommitPathAsync"/>.</summary>
public sealed record CommitResult(CommitOutcome Outcome, IReadOnlyList<string> MissingReferences)
{
    public static readonly CommitResult Committed = new(CommitOutcome.Committed, []);
}

/// <summary>Result of <see cref="IMetadataStore.DeletePathsAsync"/> (hash parts).</summary>
/// <param name="Deleted">The paths deleted.</param>
/// <param name="KeptAsReferenced">Paths kept because a path staying in the cache references them.</param>
public sealed record DeletePathsResult(IReadOnlyList<string> Deleted, IReadOnlyList<string> KeptAsReferenced);
