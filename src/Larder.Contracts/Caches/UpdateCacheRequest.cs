namespace Larder.Contracts.Caches;

/// <summary>Body of <c>PATCH /api/v1/caches/{name}</c>: only the settings present are changed.</summary>
/// <param name="RetentionDays">Evict paths not accessed for this many days (1 to 36500).</param>
/// <param name="MaxSizeBytes">Evict least recently used paths while the cache's stored bytes exceed this (positive).</param>
/// <param name="ClearRetentionDays">True: drop the cache's own age limit (the server default applies again).</param>
/// <param name="ClearMaxSize">True: drop the cache's own size limit (the server default applies again).</param>
/// <param name="UpstreamUrls">Replace the read-through upstream URLs (priority order; empty: read-through off).</param>
/// <param name="UpstreamKeys">Replace the public keys that verify upstream narinfos.</param>
/// <param name="UpstreamMode"><c>store</c> or <c>proxy</c>.</param>
public sealed record UpdateCacheRequest(
    bool? Public = null,
    int? Priority = null,
    IReadOnlyList<string>? UpstreamKeyNames = null,
    int? RetentionDays = null,
    long? MaxSizeBytes = null,
    bool? ClearRetentionDays = null,
    bool? ClearMaxSize = null,
    IReadOnlyList<string>? UpstreamUrls = null,
    IReadOnlyList<string>? UpstreamKeys = null,
    string? UpstreamMode = null);
