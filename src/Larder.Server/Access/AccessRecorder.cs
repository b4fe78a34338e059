using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// Collects "this path was served" marks from the hot read path and writes them to the metadata store in batches
/// (<see cref="FlushAsync"/>, called every few seconds by <c>Maintenance.AccessFlushService</c>), so serving a narinfo
/// never waits for a database write.
/// </summary>
public sealed class AccessRecorder(IMetadataStore store, TimeProvider time)
{
    private readonly PendingMarks<(long CacheId, string HashPart)> _pending = new();

    /// <summary>Number of distinct paths waiting to be flushed.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Marks a path as served now. Cheap and lock-free.</summary>
    public void Record(long cacheId, string hashPart) => _pending.Add((cacheId, hashPart));

    /// <summary>Writes every pending mark with the current time; returns how many paths were written.</summary>
    public Task<int> FlushAsync(CancellationToken cancellationToken) =>
        _pending.FlushAsync(keys => store.TouchPathsAsync(keys, time.GetUtcNow(), cancellationToken));
}
