namespace Larder.Server.Metadata;

/// <summary>A cache's own retention settings; null: no limit of that kind of its own (the server default applies).</summary>
public sealed record RetentionSettings(int? Days, long? MaxSizeBytes)
{
    /// <summary>No settings of the cache's own.</summary>
    public static readonly RetentionSettings None = new(null, null);
}

/// <summary>What retention decisions need to know about one path of a cache.</summary>
/// <param name="StoredBytes">The stored (compressed) size of its NAR.</param>
/// <param name="IsRoot">Protected from collection (see <c>IMetadataStore.EvictAsync</c>): pushed recently, or in the closure of a protected pin revision.</param>
public sealed record RetainedPath(
    string HashPart, string StorePath, DateTimeOffset CreatedAt, DateTimeOffset LastAccessedAt, long StoredBytes, bool IsRoot);

/// <summary>A position in a cache's least-recently-used order (last access, then hash part).</summary>
public sealed record LruCursor(DateTimeOffset LastAccessedAt, string HashPart);

/// <summary>One path to try to evict, with the newest last access a path leaving with it may have.</summary>
public sealed record EvictionSeed(string HashPart, DateTimeOffset AccessedBy);

/// <summary>
/// A batch of evictions: each seed leaves together with every path of the cache that references it (transitively), or
/// not at all. No path of that group may be a root (pushed after <paramref name="PushedBefore"/>), the group has at most
/// <paramref name="MaxGroup"/> paths, and every path of it must have been last accessed no later than the seed's
/// <see cref="EvictionSeed.AccessedBy"/>; otherwise the seed is deferred to the group's latest access and retried before
/// the first later seed. Seeds (ordered by <see cref="EvictionSeed.AccessedBy"/>) are taken in order until
/// <paramref name="BytesToFree"/> stored bytes left.
/// A dry run deletes nothing, locks nothing, and treats <paramref name="AlreadyEvicted"/> as gone.
/// </summary>
public sealed record EvictionRequest(
    long CacheId,
    IReadOnlyList<EvictionSeed> Seeds,
    DateTimeOffset PushedBefore,
    string Reason,
    long BytesToFree,
    int MaxGroup,
    bool DryRun,
    IReadOnlySet<string> AlreadyEvicted,
    DateTimeOffset At);

/// <summary>What <c>EvictAsync</c> did with the seeds it handled (<paramref name="SeedsHandled"/>, a prefix of the request's).</summary>
/// <param name="Evicted">Paths evicted (or that would be, on a dry run), each seed's group in order, the seed last.</param>
/// <param name="Deferred">Seeds still waiting for the walk to reach their group's latest access (later than every seed's).</param>
public sealed record EvictionResult(int SeedsHandled, IReadOnlyList<RetainedPath> Evicted, IReadOnlyList<EvictionSeed> Deferred);

/// <summary>What <c>DeletePathAsync</c> found and did.</summary>
/// <param name="Path">The path, or null when the cache does not hold it.</param>
/// <param name="Group">The path and every path that references it, transitively (dependents first, the path last).</param>
/// <param name="DirectDependents">Store paths that reference the path directly.</param>
/// <param name="Deleted">Whether the group was deleted (false: refused for dependents or pins, or a dry run).</param>
/// <param name="PinnedBy">Names of the pins whose protected closures hold a path of the group (the deletion is refused).</param>
public sealed record PathDeletion(
    RetainedPath? Path, IReadOnlyList<RetainedPath> Group, IReadOnlyList<string> DirectDependents, bool Deleted, IReadOnlyList<string> PinnedBy);

/// <summary>What the eviction forecast of a path needs (<c>GetRetentionFactsAsync</c>).</summary>
/// <param name="Dependents">Paths that reference it, transitively, up to the limit asked for.</param>
/// <param name="MoreDependents">More dependents exist than listed.</param>
/// <param name="LessRecentlyUsed">How many paths of the cache were last accessed before it.</param>
public sealed record PathRetentionFacts(RetainedPath Path, IReadOnlyList<RetainedPath> Dependents, bool MoreDependents, long LessRecentlyUsed);
