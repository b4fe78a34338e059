using System.Collections.Concurrent;
using Larder.Nix.Signing;
using Larder.Server.Metadata;

namespace Larder.Server.Ingest;

/// <summary>
/// Each cache's parsed signing key, so that signing a commit skips parsing the key (which derives its public half
/// from the seed to check it). Keyed by cache id and checked against the key text the cache record carries: a rotated
/// key is parsed anew on its first use.
/// </summary>
internal sealed class SigningKeyMemory
{
    private readonly ConcurrentDictionary<long, (string Text, SecretKey Key)> _keys = new();

    /// <summary>The parsed <see cref="CacheRecord.SigningKey"/> of <paramref name="cache"/>.</summary>
    public SecretKey For(CacheRecord cache)
    {
        if (_keys.TryGetValue(cache.Id, out var known) && string.Equals(known.Text, cache.SigningKey, StringComparison.Ordinal))
        {
            return known.Key;
        }
        var key = SecretKey.Parse(cache.SigningKey);
        _keys[cache.Id] = (cache.SigningKey, key);
        return key;
    }
}
