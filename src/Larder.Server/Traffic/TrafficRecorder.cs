using Microsoft.AspNetCore.Http;
using System.Collections.Concurrent;
using Larder.Server.Metadata;

namespace Larder.Server.Traffic;

/// <summary>
/// Counts each cache's traffic per hour in memory (narinfo hits and misses, NAR downloads and their bytes) and adds it
/// to the database in batches (<see cref="FlushAsync"/>, called every few seconds and at shutdown by
/// <c>Maintenance.AccessFlushService</c>): one upsert per cache and hour with traffic since the last flush, never a
/// write per request. Replicas each add their own counts to the same rows. Hours older than <see cref="Retention"/> are
/// deleted, at most once an hour.
/// </summary>
public sealed class TrafficRecorder(IMetadataStore store, TimeProvider time)
{
    /// <summary>How long the hourly counts are kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(31);

    // An entry of an hour that ended this long ago is drained and dropped: no request still holds it by then.
    private static readonly TimeSpan DropAfter = TimeSpan.FromHours(2);

    private readonly ConcurrentDictionary<(long CacheId, DateTimeOffset Hour), Counts> _pending = new();
    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;

    /// <summary>A narinfo request of the cache answered with the narinfo (<paramref name="hit"/>) or a 404.</summary>
    public void NarInfo(long cacheId, bool hit)
    {
        var counts = CountsNow(cacheId);
        if (hit)
        {
            Interlocked.Increment(ref counts.NarInfoHits);
        }
        else
        {
            Interlocked.Increment(ref counts.NarInfoMisses);
        }
    }

    /// <summary>A NAR download of the cache, of <paramref name="bytes"/> bytes.</summary>
    public void Nar(long cacheId, long bytes)
    {
        var counts = CountsNow(cacheId);
        Interlocked.Increment(ref counts.NarRequests);
        Interlocked.Add(ref counts.NarBytes, bytes);
    }

    /// <summary>
    /// Counts the NAR response with <see cref="NarSent"/> as its headers go out, before the client has any of it (the
    /// body may reach the client before the handler that wrote it runs on), so a transfer cut short counts too.
    /// </summary>
    public void NarStarting(HttpContext http, long cacheId, long fileSize)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.OnStarting(() =>
        {
            NarSent(http, cacheId, fileSize);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Counts a NAR response that was sent: a GET answered with data, or with a redirect that sends the client to the
    /// object store for the whole <paramref name="fileSize"/> bytes; a HEAD or a refusal downloads nothing.
    /// </summary>
    public void NarSent(HttpContext http, long cacheId, long fileSize)
    {
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            return;
        }
        switch (http.Response.StatusCode)
        {
            case StatusCodes.Status302Found:
                Nar(cacheId, fileSize);
                break;
            case StatusCodes.Status200OK or StatusCodes.Status206PartialContent:
                Nar(cacheId, http.Response.ContentLength ?? 0);
                break;
        }
    }

    /// <summary>Adds the counts gathered since the last flush to the database; returns how many cache-hours were written.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var batch = new List<(long CacheId, TrafficHour Counts)>();
        foreach (var (key, counts) in _pending)
        {
            if (key.Hour < HourOf(now) - DropAfter)
            {
                _pending.TryRemove(key, out _);
            }
            var taken = counts.Take(key.Hour);
            if (taken.NarInfoHits + taken.NarInfoMisses + taken.NarRequests > 0)
            {
                batch.Add((key.CacheId, taken));
            }
        }
        if (batch.Count > 0)
        {
            try
            {
                await store.AddTrafficAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                foreach (var (cacheId, taken) in batch)
                {
                    _pending.GetOrAdd((cacheId, taken.HourStart), static _ => new Counts()).Add(taken);
                }
                throw;
            }
        }
        if (now - _prunedAt >= TimeSpan.FromHours(1))
        {
            await store.DeleteTrafficBeforeAsync(HourOf(now) - Retention, cancellationToken).ConfigureAwait(false);
            _prunedAt = now;
        }
        return batch.Count;
    }

    /// <summary>The start of the hour <paramref name="at"/> falls in (UTC).</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);

    private Counts CountsNow(long cacheId) => _pending.GetOrAdd((cacheId, HourOf(time.GetUtcNow())), static _ => new Counts());

    private sealed class Counts
    {
        public long NarInfoHits;
        public long NarInfoMisses;
        public long NarRequests;
        public long NarBytes;

        /// <summary>The counts so far, leaving zero: each field is exchanged atomically, so a concurrent increment lands in this flush or the next.</summary>
        public TrafficHour Take(DateTimeOffset hour) => new(
            hour,
            Interlocked.Exchange(ref NarInfoHits, 0),
            Interlocked.Exchange(ref NarInfoMisses, 0),
            Interlocked.Exchange(ref NarRequests, 0),
            Interlocked.Exchange(ref NarBytes, 0));

        public void Add(TrafficHour counts)
        {
            Interlocked.Add(ref NarInfoHits, counts.NarInfoHits);
            Interlocked.Add(ref NarInfoMisses, counts.NarInfoMisses);
            Interlocked.Add(ref NarRequests, counts.NarRequests);
            Interlocked.Add(ref NarBytes, counts.NarBytes);
        }
    }
}
