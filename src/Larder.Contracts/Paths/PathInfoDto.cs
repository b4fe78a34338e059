namespace Larder.Contracts.Paths;

/// <summary>
/// <c>GET /api/v1/caches/{name}/paths/{hash}</c>: what the cache knows about a path beyond its narinfo, and how long it
/// will stay.
/// </summary>
/// <param name="StorePath">The full store path.</param>
/// <param name="PushedAt">When it was pushed.</param>
/// <param name="LastAccessedAt">The last narinfo or NAR hit (written in batches, so up to a few seconds late).</param>
/// <param name="StoredBytes">The stored (compressed) size of its NAR.</param>
/// <param name="Dependents">How many paths of the cache reference it, directly or transitively (they would leave with it).</param>
/// <param name="Eviction">The answer to "how long will it stay".</param>
/// <param name="Origin">The upstream URL the path came through (read-through); null when it was pushed.</param>
public sealed record PathInfoDto(
    string StorePath,
    DateTimeOffset PushedAt,
    DateTimeOffset LastAccessedAt,
    long StoredBytes,
    long Dependents,
    EvictionDto Eviction,
    string? Origin = null);

/// <summary>Whether and when garbage collection may evict a path under the cache's policy.</summary>
/// <param name="Status"><c>kept</c> (nothing evicts it now), <c>eligible</c> (the next collection may evict it) or <c>scheduled</c> (it becomes eligible at <see cref="EligibleAt"/>).</param>
/// <param name="Reasons">Sentences such as <c>kept: pushed 5 minutes ago</c>, <c>kept: referenced by …</c>, <c>eligible on …</c>.</param>
/// <param name="EligibleAt">When the age limit makes it eligible, if it does.</param>
public sealed record EvictionDto(string Status, IReadOnlyList<string> Reasons, DateTimeOffset? EligibleAt);
