namespace Larder.Contracts.Artifacts;

/// <summary>
/// A cache's retention policy for build-artifact archives (<c>GET/PUT /api/v1/caches/{cache}/artifact-retention</c>;
/// PUT needs admin on the cache). Each limit is the cache's own, or null for the server default
/// (<c>Larder:Artifacts:*</c>); the <c>Effective*</c> values (answers only) are what retention applies.
/// </summary>
/// <param name="KeepPerKey">Uploads kept per key, newest first (1 to 1000).</param>
/// <param name="MaxAgeDays">Uploads older than this many days go (1 to 36500).</param>
/// <param name="MaxTotalSize">Largest total stored size of the cache's archives, such as <c>20G</c>; the least recently used go first.</param>
public sealed record ArtifactRetentionDto(
    int? KeepPerKey,
    int? MaxAgeDays,
    string? MaxTotalSize,
    int? EffectiveKeepPerKey = null,
    int? EffectiveMaxAgeDays = null,
    long? EffectiveMaxTotalBytes = null);
