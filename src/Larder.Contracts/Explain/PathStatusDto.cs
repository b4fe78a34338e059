namespace Larder.Contracts.Explain;

/// <summary>What a cache knows about one asked path.</summary>
/// <param name="Query">The path or hash part as asked.</param>
/// <param name="HashPart">Its 32-character hash part.</param>
/// <param name="StorePath">The full store path, when the cache holds it or it was asked by full path.</param>
/// <param name="Present">Whether the cache serves the path now.</param>
/// <param name="NarHash">The NAR hash (<c>sha256:nix32</c>) of a present path.</param>
/// <param name="NarSize">Its NAR size in bytes.</param>
/// <param name="DownloadSize">What a client downloads for it (the compressed file size).</param>
/// <param name="References">Its references (base names), for checking signatures.</param>
/// <param name="MissingReferences">References the cache does not hold (pushed as living upstream): clients must get them elsewhere.</param>
/// <param name="Signatures">Its signatures (<c>keyname:base64</c>), the cache's own among them.</param>
/// <param name="Deriver">The derivation (base name) that built it, when known.</param>
/// <param name="PushedAt">When it was pushed.</param>
/// <param name="LastAccessedAt">When a client last fetched it.</param>
/// <param name="Origin">How it came into the cache: <c>push</c>, or <c>upstream</c> for a path fetched through an upstream cache.</param>
/// <param name="LatestEvent">The cache's latest event about this path (push, evict, delete), if any.</param>
/// <param name="SameName">For an absent path: the cache's present paths with the same name (other derivation hashes), newest first.</param>
public sealed record PathStatusDto(
    string Query,
    string HashPart,
    string? StorePath,
    bool Present,
    string? NarHash = null,
    long? NarSize = null,
    long? DownloadSize = null,
    IReadOnlyList<string>? References = null,
    IReadOnlyList<string>? MissingReferences = null,
    IReadOnlyList<string>? Signatures = null,
    string? Deriver = null,
    DateTimeOffset? PushedAt = null,
    DateTimeOffset? LastAccessedAt = null,
    string? Origin = null,
    PathEventDto? LatestEvent = null,
    IReadOnlyList<SameNamePathDto>? SameName = null);

/// <summary>An entry of a cache's event log about one path.</summary>
/// <param name="Kind"><c>push</c>, <c>evict</c> (garbage collection) or <c>delete</c>.</param>
/// <param name="At">When it happened.</param>
/// <param name="TokenName">The description of the token that caused it, if a token did.</param>
/// <param name="Reason">Why (for evictions and deletions), e.g. <c>evicted: retention 30 days</c>.</param>
public sealed record PathEventDto(string Kind, DateTimeOffset At, string? TokenName, string? Reason);

/// <summary>A present path of the cache with the same name as an absent one asked about.</summary>
/// <param name="StorePath">The full store path.</param>
/// <param name="Deriver">The derivation (base name) that built it, when known.</param>
/// <param name="PushedAt">When it was pushed.</param>
public sealed record SameNamePathDto(string StorePath, string? Deriver, DateTimeOffset PushedAt);
