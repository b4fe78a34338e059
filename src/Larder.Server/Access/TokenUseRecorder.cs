using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// Collects "this token was used" marks from every authenticated request and writes them to the metadata store in
/// batches (<see cref="FlushAsync"/>, called by <c>Maintenance.AccessFlushService</c> with the path access times), so
/// authenticating never waits for a database write.
/// </summary>
public sealed class TokenUseRecorder(IMetadataStore store, TimeProvider time)
{
    private readonly PendingMarks<long> _pending = new();
    private readonly PendingMarks<long> _writes = new();

    /// <summary>Marks a token as used now. Cheap and lock-free.</summary>
    public void Record(long tokenId) => _pending.Add(tokenId);

    /// <summary>Marks a token as used for a write now (a <c>write</c> token event, at most one an hour). Cheap and lock-free.</summary>
    public void RecordWrite(long tokenId) => _writes.Add(tokenId);

    /// <summary>Writes every pending mark with the current time; returns how many tokens were written.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await _writes.FlushAsync(ids => store.RecordTokenWritesAsync(ids, now, cancellationToken)).ConfigureAwait(false);
        return await _pending.FlushAsync(ids => store.TouchTokensAsync(ids, now, cancellationToken)).ConfigureAwait(false);
    }
}
