using System.Collections.Concurrent;

namespace Larder.Server.BinaryCache;

/// <summary>
/// Rendered narinfos of public caches, kept for a couple of seconds so that the hot path (many clients asking for
/// the same closure) skips the database. Only positive answers for anonymous readers of public caches are kept, so
/// a new path is visible at once and nothing private is ever served from here; a change (signatures merged, a path
/// or cache deleted, a cache made private) shows after at most <see cref="Lifetime"/>. Bounded: when full it is
/// emptied rather than managed entry by entry.
/// </summary>
internal sealed class NarInfoMicroCache(TimeProvider time)
{
    /// <summary>How long an entry is served.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<(string Cache, string HashPart), Entry> _entries = new();
    private readonly long _lifetimeTicks = (long)(Lifetime.TotalSeconds * time.TimestampFrequency);

    public bool TryGet(string cache, string hashPart, out long cacheId, out byte[] body)
    {
        if (_entries.TryGetValue((cache, hashPart), out var entry) && time.GetTimestamp() < entry.ExpiresAt)
        {
            cacheId = entry.CacheId;
            body = entry.Body;
            return true;
        }
        cacheId = 0;
        body = [];
        return false;
    }

    public void Add(string cache, string hashPart, long cacheId, byte[] body)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }
        _entries[(cache, hashPart)] = new Entry(cacheId, body, time.GetTimestamp() + _lifetimeTicks);
    }

    public void Remove(string cache, string hashPart) => _entries.TryRemove((cache, hashPart), out _);

    private sealed record Entry(long CacheId, byte[] Body, long ExpiresAt);
}
