using Larder.Server.Metadata;

namespace Larder.Server.Storage.Inline;

/// <summary>
/// The metadata database's table of inline blobs (keys under <see cref="InlineKeys.Prefix"/>): small packs kept beside
/// the rows that name them, so storing one is part of the transaction that registers its chunks.
/// </summary>
public interface IInlineBlobTable
{
    /// <summary>
    /// Registers the chunks of the inline pack <paramref name="packKey"/> as <see cref="IMetadataStore.RegisterPackAsync"/>
    /// does, and in the same transaction stores <paramref name="bytes"/> under the key if any chunk row now names it. No
    /// intent is needed: nothing exists before the commit, so nothing can be orphaned.
    /// </summary>
    Task<IReadOnlyList<ChunkRecord>> RegisterInlinePackAsync(
        string packKey, IReadOnlyList<ChunkRecord> chunks, byte[] bytes, DateTimeOffset releasedAt, CancellationToken cancellationToken);

    /// <summary>The bytes under <paramref name="key"/>, or null when there is no such blob.</summary>
    Task<byte[]?> ReadInlineBlobAsync(string key, CancellationToken cancellationToken);

    /// <summary>The size of the blob under <paramref name="key"/>, or null when there is no such blob.</summary>
    Task<long?> GetInlineBlobSizeAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes the blob under <paramref name="key"/>; deleting a missing blob is not an error.</summary>
    Task DeleteInlineBlobAsync(string key, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> blobs whose keys start with <paramref name="prefix"/> and sort after <paramref name="after"/>, in key order.</summary>
    Task<IReadOnlyList<BlobInfo>> ListInlineBlobsAsync(string prefix, string after, int limit, CancellationToken cancellationToken);
}
