namespace Larder.Server.Metadata;

/// <summary>
/// One upload of a build-artifact archive under <see cref="Key"/> of a cache: an uncompressed tar of
/// <see cref="Size"/> bytes whose SHA-256 (lower-case hex) is <see cref="Sha256"/>, stored as <see cref="Chunks"/>
/// (each holding a chunk like a NAR does). Listings leave <see cref="Chunks"/> empty.
/// </summary>
public sealed record ArtifactRecord(
    long Id,
    long CacheId,
    string Key,
    string Sha256,
    long Size,
    long StoredSize,
    IReadOnlyList<ChunkRecord> Chunks,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt);

/// <summary>A cache's own artifact retention limits; null where the server default applies.</summary>
public sealed record ArtifactRetentionSettings(int? KeepPerKey, int? MaxAgeDays, long? MaxTotalBytes)
{
    /// <summary>No limits of the cache's own.</summary>
    public static ArtifactRetentionSettings None { get; } = new(null, null, null);
}

/// <summary>
/// The limits an artifact retention pass applies to one cache: keep the newest <see cref="KeepPerKey"/> uploads of
/// each key, drop uploads created before <see cref="CreatedBefore"/>, then drop the least recently used until the
/// cache's archives store at most <see cref="MaxTotalBytes"/>. A null limit is not applied.
/// </summary>
public sealed record ArtifactPrune(int? KeepPerKey, DateTimeOffset? CreatedBefore, long? MaxTotalBytes);
