using System.Runtime.CompilerServices;
using Larder.Server.Metadata;

namespace Larder.Server.Storage.Inline;

/// <summary>
/// The blob store the server uses: blobs under <see cref="InlineKeys.Prefix"/> live in the metadata database's table
/// (<see cref="IInlineBlobTable"/>), every other key goes to <paramref name="inner"/> (the folder or the bucket)
/// untouched, so reading a normal blob costs no query. Packs of at most <see cref="Threshold"/> stored bytes are written
/// inline by <see cref="StorePackAsync"/>: one commit instead of an intent, a put (a file with its fsyncs, or an S3
/// request) and a registration. Recently written and read inline blobs are answered from memory
/// (<see cref="CacheBytes"/>), so serving small NARs again opens no file and sends no query.
/// </summary>
public sealed class InlineBlobStore(IBlobStore inner, IInlineBlobTable table, int threshold) : IBlobStore
{
    /// <summary>
    /// The default <c>Larder:Storage:InlineThreshold</c>: above the size of most small store paths (a NAR of one
    /// chunk, up to <c>Larder:Chunking:SingleChunkThreshold</c>), while a database row stays far below a page of a
    /// large object.
    /// </summary>
    public const int DefaultThreshold = 64 << 10;

    /// <summary>Largest <c>Larder:Storage:InlineThreshold</c>: the smallest pack, so a chunk stored alone is never inline.</summary>
    public const int MaxThreshold = 1 << 20;

    /// <summary>
    /// Bytes of inline blobs kept in memory: a constant, like the chunk buffer pool's bound (32 MiB), a few thousand
    /// small NARs, which is what one push or one <c>nix copy --from</c> of small paths touches.
    /// </summary>
    public const long CacheBytes = 32 << 20;

    private const int ListPage = 1000;
    private readonly InlineBlobCache _cache = new(CacheBytes);

    /// <summary>Packs of at most this many stored bytes are stored inline; 0 stores none.</summary>
    public int Threshold => threshold;

    /// <summary>
    /// Stores the pack <paramref name="bytes"/> under the fresh inline key <paramref name="key"/> together with the
    /// registration of its <paramref name="chunks"/> (see <see cref="IInlineBlobTable.RegisterInlinePackAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<ChunkRecord>> StorePackAsync(
        string key, IReadOnlyList<ChunkRecord> chunks, ReadOnlyMemory<byte> bytes, DateTimeOffset releasedAt, CancellationToken cancellationToken)
    {
        var copy = bytes.ToArray();
        var registered = await table.RegisterInlinePackAsync(key, chunks, copy, releasedAt, cancellationToken).ConfigureAwait(false);
        if (registered.Any(chunk => chunk.PackKey == key))
        {
            _cache.Add(key, copy);
        }
        return registered;
    }

    /// <summary>Whether reading <paramref name="key"/> needs no storage at all: an inline blob held in memory.</summary>
    public bool IsInMemory(string key) => InlineKeys.IsInline(key) && _cache.Contains(key);

    public Task PrepareAsync(CancellationToken cancellationToken) => inner.PrepareAsync(cancellationToken);

    public Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken) =>
        inner.PutFileAsync(OutsideKey(key), localPath, cancellationToken);

    public Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        inner.PutBytesAsync(OutsideKey(key), bytes, cancellationToken);

    public async Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken)
    {
        if (!InlineKeys.IsInline(key))
        {
            return await inner.OpenReadAsync(key, offset, cancellationToken).ConfigureAwait(false);
        }
        var bytes = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return Slice(bytes, offset, bytes.Length);
    }

    public async Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        if (!InlineKeys.IsInline(key))
        {
            return await inner.OpenRangeAsync(key, offset, length, cancellationToken).ConfigureAwait(false);
        }
        return Slice(await ReadAsync(key, cancellationToken).ConfigureAwait(false), offset, length);
    }

    /// <remarks>Always the table's answer, never the cache's: verify asks, and must see a blob deleted by another replica.</remarks>
    public Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken) =>
        InlineKeys.IsInline(key) ? table.GetInlineBlobSizeAsync(key, cancellationToken) : inner.GetSizeAsync(key, cancellationToken);

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        if (!InlineKeys.IsInline(key))
        {
            await inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            return;
        }
        _cache.Remove(key);
        await table.DeleteInlineBlobAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (InlineKeys.MayListOutside(prefix))
        {
            await foreach (var blob in inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                yield return blob;
            }
        }
        if (!InlineKeys.MayList(prefix))
        {
            yield break;
        }
        var after = "";
        while (true)
        {
            var page = await table.ListInlineBlobsAsync(prefix, after, ListPage, cancellationToken).ConfigureAwait(false);
            foreach (var blob in page)
            {
                yield return blob;
            }
            if (page.Count < ListPage)
            {
                yield break;
            }
            after = page[^1].Key;
        }
    }

    /// <remarks>Null for an inline blob: the server streams it from memory.</remarks>
    public Uri? GetDirectDownloadUrl(string key, TimeSpan validFor) => InlineKeys.IsInline(key) ? null : inner.GetDirectDownloadUrl(key, validFor);

    public Task<int> RemoveInterruptedWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken) =>
        inner.RemoveInterruptedWritesAsync(olderThan, cancellationToken);

    private async Task<byte[]> ReadAsync(string key, CancellationToken cancellationToken)
    {
        if (_cache.Get(key) is { } cached)
        {
            return cached;
        }
        var bytes = await table.ReadInlineBlobAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(key);
        _cache.Add(key, bytes);
        return bytes;
    }

    /// <summary>
    /// <paramref name="key"/>, for a put into the blob store: an inline blob is written only with its chunks'
    /// registration (<see cref="StorePackAsync"/>), never by a put.
    /// </summary>
    private static string OutsideKey(string key) => InlineKeys.IsInline(key)
        ? throw new InvalidOperationException($"blob '{key}' is inline: it is stored with its chunks' registration, not put")
        : key;

    private static MemoryStream Slice(byte[] bytes, long offset, long length)
    {
        var start = (int)Math.Min(offset, bytes.Length);
        return new MemoryStream(bytes, start, (int)Math.Min(length, bytes.Length - start), writable: false);
    }
}
