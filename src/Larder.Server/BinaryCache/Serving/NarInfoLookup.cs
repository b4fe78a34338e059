using Larder.Server.Metadata;

namespace Larder.Server.BinaryCache.Serving;

/// <summary>
/// A path's rendered narinfo in a cache: from <see cref="NarInfoMemory"/>, else from the database, and then remembered
/// (with its NAR) when nothing changed since <c>generation</c> was taken. A miss of a cache with upstreams is not
/// remembered: the upstreams answer it, with their own memory, every time.
/// </summary>
internal sealed class NarInfoLookup(IMetadataStore metadata, NarInfoMemory memory)
{
    /// <summary>The narinfo, or null when the cache does not hold the path.</summary>
    public ValueTask<byte[]?> FindAsync(long cacheId, bool hasUpstreams, string hashPart, long generation, CancellationToken cancellationToken) =>
        memory.TryRecall(cacheId, hashPart, out var body)
            ? ValueTask.FromResult(body)
            : ReadAsync(cacheId, hasUpstreams, hashPart, generation, cancellationToken);

    /// <summary>
    /// The narinfo read from the database (and remembered), for a caller that has just found the memory without it;
    /// null when the cache does not hold the path.
    /// </summary>
    public async ValueTask<byte[]?> ReadAsync(long cacheId, bool hasUpstreams, string hashPart, long generation, CancellationToken cancellationToken)
    {
        var entry = await metadata.GetPathAsync(cacheId, hashPart, cancellationToken).ConfigureAwait(false);
        var body = entry is null ? null : NarInfoText.Render(entry);
        if (body is not null || !hasUpstreams)
        {
            memory.Remember(cacheId, hashPart, body, entry?.Nar, generation);
        }
        return body;
    }
}
