using System.Collections.Concurrent;

namespace Larder.Server.Access;

/// <summary>
/// A lock-free set of marks collected on hot paths and written in batches: <see cref="FlushAsync"/> hands the marks
/// gathered so far to a writer, and puts them back when the write fails so the next flush retries them.
/// </summary>
internal sealed class PendingMarks<TKey>
    where TKey : notnull
{
    private ConcurrentDictionary<TKey, byte> _pending = new();

    /// <summary>Number of distinct marks waiting.</summary>
    public int Count => _pending.Count;

    /// <summary>Adds a mark. Cheap and lock-free once the key is marked.</summary>
    public void Add(TKey key)
    {
        // TryAdd takes the bucket's lock even when the key is there; every request on one token or path marks the same
        // key, so look first (a lock-free read) and add only what is missing.
        if (!_pending.ContainsKey(key))
        {
            _pending.TryAdd(key, 0);
        }
    }

    /// <summary>Writes the waiting marks with <paramref name="write"/>; returns how many were written.</summary>
    public async Task<int> FlushAsync(Func<TKey[], Task> write)
    {
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<TKey, byte>());
        if (batch.IsEmpty)
        {
            return 0;
        }
        var keys = batch.Keys.ToArray();
        try
        {
            await write(keys).ConfigureAwait(false);
        }
        catch
        {
            foreach (var key in keys)
            {
                _pending.TryAdd(key, 0);
            }
            throw;
        }
        return keys.Length;
    }
}
