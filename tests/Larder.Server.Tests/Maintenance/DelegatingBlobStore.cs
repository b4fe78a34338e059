using Larder.Server.Storage;

namespace Larder.Server.Tests.Maintenance;

/// <summary>A blob store that forwards to another; subclasses watch or disturb single operations.</summary>
public abstract class DelegatingBlobStore(IBlobStore inner) : IBlobStore
{
    public Task PrepareAsync(CancellationToken cancellationToken) => inner.PrepareAsync(cancellationToken);

    public virtual Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken) => inner.PutFileAsync(key, localPath, cancellationToken);

    public virtual Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        inner.PutBytesAsync(key, bytes, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken) => inner.OpenReadAsync(key, offset, cancellationToken);

    public Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken) =>
        inner.OpenRangeAsync(key, offset, length, cancellationToken);

    public Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken) => inner.GetSizeAsync(key, cancellationToken);

    public virtual Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public virtual IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task<int> RemoveInterruptedWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken) =>
        inner.RemoveInterruptedWritesAsync(olderThan, cancellationToken);

    public Uri? GetDirectDownloadUrl(string key, TimeSpan validFor) => inner.GetDirectDownloadUrl(key, validFor);
}

/// <summary>Fails any listing: maintenance must not need one.</summary>
public sealed class ListingForbiddenBlobStore(IBlobStore inner) : DelegatingBlobStore(inner)
{
    public override IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"listed '{prefix}'");
}

/// <summary>Deletes the first blob asked, then cancels <paramref name="cancel"/> and throws: a pass killed mid-step.</summary>
public sealed class CancelOnFirstDeleteBlobStore(IBlobStore inner, CancellationTokenSource cancel) : DelegatingBlobStore(inner)
{
    public override async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await base.DeleteAsync(key, cancellationToken);
        await cancel.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}

/// <summary>Fails every delete of <paramref name="failingKey"/>, as a store that cannot remove one object would.</summary>
public sealed class FailingDeleteBlobStore(IBlobStore inner, string failingKey) : DelegatingBlobStore(inner)
{
    public override Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        key == failingKey ? throw new IOException($"cannot delete '{key}'") : base.DeleteAsync(key, cancellationToken);
}
