using System.Collections.Concurrent;

namespace Larder.Server.BinaryCache.PinTarball;

/// <summary>
/// Generated pin tarballs of this replica, per cache and pin (null: all pins), each kept with the pins version it was
/// made from, so a tarball is generated once per change of the cache's pins.
/// </summary>
public sealed class PinTarballMemory
{
    /// <summary>How many tarballs are kept before the memory starts over.</summary>
    public const int Capacity = 1024;

    private readonly ConcurrentDictionary<(long CacheId, string? Pin), GeneratedTarball> _tarballs = new();

    /// <summary>The tarball made from <paramref name="version"/>, if this replica has it.</summary>
    public GeneratedTarball? Find(long cacheId, string? pin, long version) =>
        _tarballs.TryGetValue((cacheId, pin), out var tarball) && tarball.Version == version ? tarball : null;

    /// <summary>Keeps <paramref name="tarball"/> (generated from a version read before and after reading the pins).</summary>
    public void Remember(long cacheId, string? pin, GeneratedTarball tarball)
    {
        if (_tarballs.Count >= Capacity)
        {
            _tarballs.Clear();
        }
        _tarballs[(cacheId, pin)] = tarball;
    }
}

/// <summary>A generated pin tarball: the pins version it shows, its bytes, entity tag and modification time.</summary>
public sealed record GeneratedTarball(long Version, byte[] Bytes, string ETag, DateTimeOffset LastModified);
