using System.Collections.Concurrent;
using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// Collects "this path was served" marks from the hot read path and writes them to the metadata store in batches
/// (<see cref="FlushAsync"/>, called every few seconds by <c>Maintenance.AccessFlushService</c>), so serving a narinfo
/// never waits for a database write.
/// </summary>
public sealed class AccessRecorder(IMetadataStore store, TimeProvider time)
{
    private ConcurrentDictionary<(long CacheId, string HashPart), byte> _pending = new();

    /// <summary>Number of distinct paths waiting to be flushed.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Marks a path as served now. Cheap and lock-free.</summary>
    public void Record(long cacheId, string hashPart) => _pending.TryAdd((cacheId, hashPart), 0);

    /// <summary>Writes every pending mark with the current time; returns how many paths were written.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<(long, string), byte>());
        if (batch.IsEmpty)
        {
            return 0;
        }
        var keys = batch.Keys.ToArray();
        try
        {
            await store.TouchPathsAsync(keys, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Put the marks back so the next flush retries them.
            foreach (var key in keys)
            {
                _pending.TryAdd(key, 0);
            }
            throw;
        }
        return keys.Length;
    }
}
