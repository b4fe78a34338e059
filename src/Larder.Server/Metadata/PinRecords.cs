namespace Larder.Server.Metadata;

/// <summary>
/// How long a pin's revisions keep their closures alive against retention and garbage collection. The current revision
/// is always protected; older ones while the rule holds: the newest <paramref name="Revisions"/>, those superseded less
/// than <paramref name="Days"/> days ago, or all of them with <paramref name="Forever"/>. Exactly one kind applies.
/// </summary>
public sealed record PinKeep(int? Revisions, int? Days, bool Forever)
{
    /// <summary>The rule of a pin created without one: only the current revision is protected.</summary>
    public static readonly PinKeep Default = new(1, null, false);
}

/// <summary>One revision of a pin: what it named, who set it and whether it still protects its closure.</summary>
/// <param name="Number">1 for the first revision, then counting up; the highest is current.</param>
/// <param name="StorePath">The pinned store path (full path).</param>
/// <param name="Artifact">A file inside the path, relative to it (<c>bin/myapp</c>), served for download; null for none.</param>
/// <param name="TokenId">The token that set it (null once the token row is gone).</param>
/// <param name="TokenDescription">That token's description.</param>
/// <param name="Note">Why it was set, when not by naming a path (<c>rollback to revision 2</c>).</param>
/// <param name="SupersededAt">When a later revision replaced it; null while current.</param>
/// <param name="ReleasedAt">When the keep rule stopped protecting its closure; null while protected.</param>
public sealed record PinRevisionRecord(
    long Id,
    int Number,
    string StorePath,
    string? Artifact,
    long? TokenId,
    string? TokenDescription,
    string? Note,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SupersededAt,
    DateTimeOffset? ReleasedAt);

/// <summary>A pin of a cache with its current revision.</summary>
/// <param name="RevisionCount">How many revisions it has had (the current one's number).</param>
public sealed record PinRecord(long Id, string Name, PinKeep Keep, DateTimeOffset CreatedAt, PinRevisionRecord Current, int RevisionCount);

/// <summary>
/// A new revision for the pin <paramref name="Name"/> of cache <paramref name="CacheId"/> (created if absent): the path
/// with hash <paramref name="HashPart"/> and <paramref name="Artifact"/>, or, with <paramref name="RollbackTo"/>, what
/// that revision named. <paramref name="Keep"/> replaces the pin's rule (null keeps it, or <see cref="PinKeep.Default"/>).
/// </summary>
public sealed record PinUpdate(
    long CacheId, string Name, string? HashPart, string? Artifact, int? RollbackTo, PinKeep? Keep, long? TokenId, DateTimeOffset At);

/// <summary>The outcome of <c>SetPinAsync</c>: the pin as now stored, or why nothing changed.</summary>
/// <param name="Pin">The pin after the change; null when refused.</param>
/// <param name="MissingPath">The named path (hash part) is not in the cache.</param>
/// <param name="MissingReferences">Hash parts of the closure the cache does not hold.</param>
/// <param name="UnknownRevision">The pin or the revision to roll back to does not exist.</param>
public sealed record PinChange(PinRecord? Pin, string? MissingPath, IReadOnlyList<string> MissingReferences, bool UnknownRevision);

/// <summary>The version of a cache's pins (counts every change), for the pin tarball's validators.</summary>
public sealed record PinsVersion(long Version, DateTimeOffset ChangedAt)
{
    /// <summary>A cache whose pins never changed.</summary>
    public static readonly PinsVersion Initial = new(0, DateTimeOffset.UnixEpoch);
}
