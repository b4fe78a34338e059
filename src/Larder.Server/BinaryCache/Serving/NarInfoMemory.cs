using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Larder.Server.Metadata;

namespace Larder.Server.BinaryCache.Serving;

/// <summary>
/// This replica's memory of narinfo answers, so that hits and misses skip the database: per cache, rendered narinfos
/// (hits, each with its NAR's row, so that the NAR download that follows skips the database too) and hash parts it
/// does not hold (misses); caches by name and valid tokens by secret hash, for requests answered before routing and
/// for the access filter (<see cref="Access.CacheAccess"/>). Everything that changes an answer calls
/// <see cref="ServingChanges"/>, which forgets it here at once and tells the other replicas; an answer is also never
/// older than <see cref="MaxAge"/>, the bound for a change whose notice was lost. It remembers only while changes
/// reach it (<see cref="SetListening"/>).
/// </summary>
/// <remarks>
/// A lookup that raced with a change must not store the answer it read before the change: callers take
/// <see cref="Generation"/> before reading the database, and an answer read under an older generation is dropped.
/// </remarks>
public sealed class NarInfoMemory(TimeProvider time)
{
    /// <summary>How long an answer is kept at most (the bound on a lost change notice).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private const int Capacity = 200_000;
    private readonly ConcurrentDictionary<(long CacheId, string HashPart), Answer> _answers = new();
    private readonly ConcurrentDictionary<string, KnownCache> _caches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KnownToken> _tokens = new(StringComparer.Ordinal);
    // Which path's answer holds the NAR with a given FileHash: a pointer only, checked against that answer on recall,
    // so forgetting the path's answer forgets its NAR too and a stale pointer never serves anything.
    private readonly ConcurrentDictionary<(long CacheId, string FileHash), string> _narPaths = new();
    private readonly long _maxAgeTicks = (long)(MaxAge.TotalSeconds * time.TimestampFrequency);
    private long _generation;
    private volatile bool _listening;

    /// <summary>Changes so far; take it before reading what will be remembered.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Whether changes of other replicas reach this one; while they do not, nothing is remembered.</summary>
    public void SetListening(bool listening)
    {
        _listening = listening;
        ForgetAll();
    }

    /// <summary>
    /// True when the answer for <paramref name="hashPart"/> in the cache is remembered: <paramref name="body"/> is the
    /// rendered narinfo, or null when the cache does not hold the path.
    /// </summary>
    public bool TryRecall(long cacheId, string hashPart, out byte[]? body)
    {
        if (_answers.TryGetValue((cacheId, hashPart), out var answer) && time.GetTimestamp() < answer.ExpiresAt)
        {
            body = answer.Body;
            return true;
        }
        body = null;
        return false;
    }

    /// <summary>
    /// The NAR whose bare FileHash (as in its URL) is <paramref name="fileHash"/>, when the answer of a path of the cache
    /// that refers to it is remembered.
    /// </summary>
    public bool TryRecallNar(long cacheId, string fileHash, [NotNullWhen(true)] out NarRecord? nar)
    {
        if (_narPaths.TryGetValue((cacheId, fileHash), out var hashPart) &&
            _answers.TryGetValue((cacheId, hashPart), out var answer) && time.GetTimestamp() < answer.ExpiresAt &&
            answer.Nar is { } remembered && IsFileHash(remembered, fileHash))
        {
            nar = remembered;
            return true;
        }
        nar = null;
        return false;
    }

    /// <summary>
    /// The id and visibility of the cache called <paramref name="name"/>, and whether it has upstreams (which answer
    /// what it lacks), when remembered.
    /// </summary>
    public bool TryRecallCache(string name, out long cacheId, out bool isPublic, out bool hasUpstreams)
    {
        if (TryRecallCache(name, out var cache))
        {
            (cacheId, isPublic, hasUpstreams) = (cache.Id, cache.IsPublic, cache.Upstreams is { Enabled: true });
            return true;
        }
        (cacheId, isPublic, hasUpstreams) = (0, false, false);
        return false;
    }

    /// <summary>The cache called <paramref name="name"/>, when remembered (the access filter's lookup).</summary>
    public bool TryRecallCache(string name, [NotNullWhen(true)] out CacheRecord? cache)
    {
        if (_caches.TryGetValue(name, out var known) && time.GetTimestamp() < known.ExpiresAt)
        {
            cache = known.Cache;
            return true;
        }
        cache = null;
        return false;
    }

    /// <summary>
    /// The token whose secret hashes to <paramref name="secretHash"/>, when remembered: it was valid (not revoked) when
    /// read; the caller still checks its expiry.
    /// </summary>
    public bool TryRecallToken(string secretHash, [NotNullWhen(true)] out TokenRecord? token)
    {
        if (_tokens.TryGetValue(secretHash, out var known) && time.GetTimestamp() < known.ExpiresAt)
        {
            token = known.Token;
            return true;
        }
        token = null;
        return false;
    }

    /// <summary>
    /// Remembers the narinfo and its NAR (or, for a null <paramref name="body"/>, the absence) read under
    /// <paramref name="generation"/>.
    /// </summary>
    public void Remember(long cacheId, string hashPart, byte[]? body, NarRecord? nar, long generation)
    {
        if (nar is not null && _listening)
        {
            if (_narPaths.Count >= Capacity)
            {
                _narPaths.Clear();
            }
            _narPaths[(cacheId, NarInfoText.BareHash(nar.FileHash))] = hashPart;
        }
        Remember(_answers, (cacheId, hashPart), new Answer(body, nar, Expiry()), generation);
    }

    /// <summary>Remembers <paramref name="cache"/>, read under <paramref name="generation"/>.</summary>
    public void RememberCache(CacheRecord cache, long generation)
    {
        ArgumentNullException.ThrowIfNull(cache);
        Remember(_caches, cache.Name, new KnownCache(cache, Expiry()), generation);
    }

    /// <summary>Remembers a valid <paramref name="token"/>, read under <paramref name="generation"/>.</summary>
    public void RememberToken(TokenRecord token, long generation)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.RevokedAt is null)
        {
            Remember(_tokens, token.SecretHash, new KnownToken(token, Expiry()), generation);
        }
    }

    /// <summary>Forgets the answers for these paths of the cache.</summary>
    public void ForgetPaths(long cacheId, IEnumerable<string> hashParts)
    {
        ArgumentNullException.ThrowIfNull(hashParts);
        Interlocked.Increment(ref _generation);
        foreach (var hashPart in hashParts)
        {
            _answers.TryRemove((cacheId, hashPart), out _);
        }
    }

    /// <summary>Forgets everything about the cache (its settings, key or existence changed).</summary>
    public void ForgetCache(long cacheId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var entry in _caches)
        {
            if (entry.Value.Cache.Id == cacheId)
            {
                _caches.TryRemove(entry);
            }
        }
        foreach (var key in _answers.Keys)
        {
            if (key.CacheId == cacheId)
            {
                _answers.TryRemove(key, out _);
            }
        }
        foreach (var key in _narPaths.Keys)
        {
            if (key.CacheId == cacheId)
            {
                _narPaths.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Forgets every token (one was revoked, and with it the tokens it created).</summary>
    public void ForgetTokens()
    {
        Interlocked.Increment(ref _generation);
        _tokens.Clear();
    }

    /// <summary>Forgets everything.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _caches.Clear();
        _tokens.Clear();
        _answers.Clear();
        _narPaths.Clear();
    }

    /// <summary>Whether the NAR's <c>sha256:digits</c> FileHash has these digits (without allocating the bare hash).</summary>
    private static bool IsFileHash(NarRecord nar, string bareHash) =>
        nar.FileHash.AsSpan(nar.FileHash.IndexOf(':', StringComparison.Ordinal) + 1).SequenceEqual(bareHash);

    private long Expiry() => time.GetTimestamp() + _maxAgeTicks;

    private void Remember<TKey, TValue>(ConcurrentDictionary<TKey, TValue> entries, TKey key, TValue value, long generation)
        where TKey : notnull
    {
        if (!_listening || generation != Generation)
        {
            return;
        }
        if (entries.Count >= Capacity)
        {
            entries.Clear();
        }
        entries[key] = value;
        // A change that came after the check above and before the write has already run its removal: undo ours.
        if (generation != Generation)
        {
            entries.TryRemove(KeyValuePair.Create(key, value));
        }
    }

    private sealed record Answer(byte[]? Body, NarRecord? Nar, long ExpiresAt);

    private sealed record KnownCache(CacheRecord Cache, long ExpiresAt);

    private sealed record KnownToken(TokenRecord Token, long ExpiresAt);
}
