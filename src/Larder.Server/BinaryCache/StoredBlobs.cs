using Larder.Server.Errors;
using Larder.Server.Storage;

namespace Larder.Server.BinaryCache;

/// <summary>Opening blobs that the metadata promises exist.</summary>
internal static class StoredBlobs
{
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
