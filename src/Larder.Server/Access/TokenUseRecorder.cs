using System.Collections.Concurrent;
using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// Collects "this token was used" marks from every authenticated request and writes them to the metadata store in
/// batches (<see cref="FlushAsync"/>, called by <c>Maintenance.AccessFlushService</c> with the path access times), so
/// authenticating never waits for a database write.
/// </summary>
public sealed class TokenUseRecorder(IMetadataStore store, TimeProvider time)
{
    private ConcurrentDictionary<long, byte> _pending = new();

    /// <summary>Marks a token as used now. Cheap and lock-free.</summary>
    public void Record(long tokenId) => _pending.TryAdd(tokenId, 0);

    /// <summary>Writes every pending mark with the current time; returns how many tokens were written.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<long, byte>());
        if (batch.IsEmpty)
        {
            return 0;
        }
        var ids = batch.Keys.ToArray();
        try
        {
            await store.TouchTokensAsync(ids, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Put the marks back so the next flush retries them.
            foreach (var id in ids)
            {
                _pending.TryAdd(id, 0);
            }
            throw;
        }
        return ids.Length;
    }
}
