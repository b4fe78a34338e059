namespace Larder.Contracts.Artifacts;

/// <summary>
/// One stored upload of a build-artifact archive (a tar) under a key of a cache, as listed by
/// <c>GET /api/v1/caches/{cache}/artifacts</c> (Read).
/// </summary>
/// <param name="Key">The key it was saved under.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the uncompressed archive, checked on upload and by every restore.</param>
/// <param name="Size">Size of the uncompressed archive in bytes.</param>
/// <param name="StoredSize">Compressed size of its chunks (chunks shared with other archives or NARs are stored once).</param>
/// <param name="CreatedAt">When it was uploaded.</param>
/// <param name="LastUsedAt">When it was last restored (its upload time until then).</param>
public sealed record ArtifactDto(string Key, string Sha256, long Size, long StoredSize, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt);

/// <summary>The archives of a cache, newest upload first within each key, keys in order.</summary>
public sealed record ArtifactListDto(IReadOnlyList<ArtifactDto> Artifacts);
