namespace Larder.Server.Metadata;

/// <summary>A path <c>larder explain</c> asks a cache about: its hash part and, when the caller knows it, its full store path.</summary>
public sealed record PathStatusQuery(string HashPart, string? StorePath);

/// <summary>What a cache knows about one asked path (see <see cref="IMetadataStore.GetPathStatusesAsync"/>).</summary>
/// <param name="Present">The path as the cache serves it, or null when it does not.</param>
/// <param name="LatestEvent">The cache's latest event about the path, if any.</param>
/// <param name="SameName">For an absent path asked by full store path: present paths of the same name, newest first.</param>
public sealed record PathStatusFacts(string HashPart, PresentPathFacts? Present, PathEventFacts? LatestEvent, IReadOnlyList<SameNamePath> SameName);

/// <summary>A present path with what a client needs to judge it: sizes, references, signatures.</summary>
/// <param name="References">Base names.</param>
/// <param name="UpstreamReferences">References the cache does not hold (pushed as living upstream); base names.</param>
/// <param name="Origin">The upstream URL it was read through, or null for a pushed path.</param>
public sealed record PresentPathFacts(
    string StorePath,
    string NarHash,
    long NarSize,
    long FileSize,
    IReadOnlyList<string> References,
    IReadOnlyList<string> UpstreamReferences,
    string? Deriver,
    IReadOnlyList<string> Signatures,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastAccessedAt,
    string? Origin);

/// <summary>One event of a cache's log about a path, with the description of the token that caused it.</summary>
public sealed record PathEventFacts(string StorePath, string Kind, DateTimeOffset At, string? TokenDescription, string? Reason);

/// <summary>A present path with the same name as an asked one; <paramref name="Deriver"/> is a base name.</summary>
public sealed record SameNamePath(string StorePath, string? Deriver, DateTimeOffset CreatedAt);
