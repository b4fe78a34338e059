namespace Larder.Server.Storage.Inline;

/// <summary>
/// The inline blobs written or read most recently, up to a number of bytes, least recently used going first. Inline
/// blobs never change under their key (every key is fresh), so an entry is either the blob's bytes or the bytes of a
/// blob deleted since, which no row names any more: never wrong bytes for a key that is read.
/// </summary>
internal sealed class InlineBlobCache(long capacity)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<KeyValuePair<string, byte[]>>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<KeyValuePair<string, byte[]>> _recency = new();
    private long _bytes;

    /// <summary>The cached bytes of <paramref name="key"/>, made the most recently used; null when not cached.</summary>
    public byte[]? Get(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return null;
            }
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Value;
        }
    }

    /// <summary>Whether <paramref name="key"/> is cached (its recency unchanged).</summary>
    public bool Contains(string key)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(key);
        }
    }

    /// <summary>Caches <paramref name="bytes"/> under <paramref name="key"/>, evicting the least recently used entries beyond the capacity.</summary>
    public void Add(string key, byte[] bytes)
    {
        if (bytes.Length > capacity)
        {
            return;
        }
        lock (_lock)
        {
            RemoveLocked(key);
            _entries[key] = _recency.AddFirst(new KeyValuePair<string, byte[]>(key, bytes));
            _bytes += bytes.Length;
            while (_bytes > capacity && _recency.Last is { } oldest)
            {
                RemoveLocked(oldest.Value.Key);
            }
        }
    }

    /// <summary>Forgets <paramref name="key"/>.</summary>
    public void Remove(string key)
    {
        lock (_lock)
        {
            RemoveLocked(key);
        }
    }

    private void RemoveLocked(string key)
    {
        if (_entries.Remove(key, out var node))
        {
            _recency.Remove(node);
            _bytes -= node.Value.Value.Length;
        }
    }
}
