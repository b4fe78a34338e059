using Larder.Server.Errors;
using Larder.Server.Storage;
using Larder.Server.Storage.Packs;

namespace Larder.Server.BinaryCache;

/// <summary>Opening blobs that the metadata promises exist.</summary>
internal static class StoredBlobs
{
    /// <summary>
    /// Opens the chunk bytes of <paramref name="span"/>: a whole chunk blob is read from its offset to its end (so a
    /// blob longer than recorded shows), a range of a pack is read as that range only. A missing blob is a
    /// <see cref="StoredDataMissingException"/> that tells the client <paramref name="what"/> is missing.
    /// </summary>
    public static async Task<Stream> OpenSpanAsync(this IBlobStore blobs, BlobSpan span, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(span);
        if (!PackKeys.IsPack(span.Key))
        {
            return await blobs.OpenStoredAsync(span.Key, span.Offset, what, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await blobs.OpenRangeAsync(span.Key, span.Offset, span.Length, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e)
        {
            throw new StoredDataMissingException(what, e);
        }
    }

    /// <summary>
    /// Opens <paramref name="key"/> from <paramref name="offset"/>; a missing blob is a
    /// <see cref="StoredDataMissingException"/> that tells the client <paramref name="what"/> is missing (the key is logged).
    /// </summary>
    public static async Task<Stream> OpenStoredAsync(this IBlobStore blobs, string key, long offset, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await blobs.OpenReadAsync(key, offset, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e)
        {
            throw new StoredDataMissingException(what, e);
        }
    }
}
