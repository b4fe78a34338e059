namespace Larder.Server.Storage;

/// <summary>
/// Where stored bytes live (NAR chunks, listings, build logs). Keys are relative, '/'-separated,
/// made only by the server (never taken from a client), e.g. <c>chunks/ab/abcd….zst</c>.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Makes the store ready and checks it at start-up: a folder is created and must be writable, an S3 bucket must
    /// exist (or is created when configured so) and accept the credentials. Throws
    /// <see cref="Configuration.LarderConfigurationException"/> saying what is wrong. Safe to call again, and from
    /// several replicas at once.
    /// </summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores the file at <paramref name="localPath"/> under <paramref name="key"/>. When this returns the blob is
    /// durable and complete; a failure leaves no partial blob visible. The local file may be moved or left behind:
    /// callers treat it as consumed.
    /// </summary>
    Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="bytes"/> under <paramref name="key"/> straight from memory (a chunk: at most a few MiB),
    /// with the guarantees of <see cref="PutFileAsync"/>: durable and complete on return, nothing partial visible.
    /// </summary>
    Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>Opens the blob for streaming, from <paramref name="offset"/>. Throws <see cref="BlobNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// Opens bytes <c>[offset, offset + length)</c> of the blob (a chunk inside a pack): the stream ends after them, or
    /// earlier when the blob is shorter. Throws <see cref="BlobNotFoundException"/> when absent.
    /// </summary>
    Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken);

    /// <summary>Size in bytes, or null when the blob does not exist.</summary>
    Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes the blob; deleting a missing blob is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every blob whose key starts with <paramref name="prefix"/>, for maintenance (verify, orphan cleanup).</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// A URL a client may download the blob from directly (a presigned S3 URL), or null when the server
    /// must stream it itself.
    /// </summary>
    Uri? GetDirectDownloadUrl(string key, TimeSpan validFor);

    /// <summary>
    /// Removes what puts interrupted more than <paramref name="olderThan"/> ago left behind, invisible to readers but
    /// taking space (a folder's temporary files, an S3 bucket's unfinished multipart uploads); returns how many.
    /// </summary>
    Task<int> RemoveInterruptedWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken);
}

/// <summary>A stored blob as listed by <see cref="IBlobStore.ListAsync"/>.</summary>
public sealed record BlobInfo(string Key, long Size, DateTimeOffset LastModified);

/// <summary>A blob that the metadata says exists is missing from the store.</summary>
public sealed class BlobNotFoundException(string key) : Exception($"blob '{key}' is missing from the object store")
{
    public string Key { get; } = key;
}
