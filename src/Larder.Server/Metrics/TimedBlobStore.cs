using System.Diagnostics;
using Larder.Server.Storage;

namespace Larder.Server.Metrics;

/// <summary>
/// An <see cref="IBlobStore"/> that times each operation of the store it wraps into
/// <see cref="LarderMetrics.StorageLatency"/> (an open is timed until the stream is ready, not while it is read).
/// </summary>
public sealed class TimedBlobStore(IBlobStore inner, LarderMetrics metrics) : IBlobStore
{
    public Task PrepareAsync(CancellationToken cancellationToken) => inner.PrepareAsync(cancellationToken);

    public Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken) =>
        TimeAsync("put", () => inner.PutFileAsync(key, localPath, cancellationToken));

    public Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        TimeAsync("put", () => inner.PutBytesAsync(key, bytes, cancellationToken));

    public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken) =>
        TimeAsync("open", () => inner.OpenReadAsync(key, offset, cancellationToken));

    public Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken) =>
        TimeAsync("open", () => inner.OpenRangeAsync(key, offset, length, cancellationToken));

    public Task<long?> GetSizeAsync(string key, CancellationToken cancellationToken) =>
        TimeAsync("size", () => inner.GetSizeAsync(key, cancellationToken));

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        TimeAsync("delete", () => inner.DeleteAsync(key, cancellationToken));

    public IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Uri? GetDirectDownloadUrl(string key, TimeSpan validFor) => inner.GetDirectDownloadUrl(key, validFor);

    public Task<int> RemoveInterruptedWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken) =>
        inner.RemoveInterruptedWritesAsync(olderThan, cancellationToken);

    private async Task TimeAsync(string operation, Func<Task> action) =>
        await TimeAsync(operation, async () =>
        {
            await action().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    private async Task<T> TimeAsync<T>(string operation, Func<Task<T>> action)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var result = await action().ConfigureAwait(false);
            outcome = "ok";
            return result;
        }
        finally
        {
            metrics.StorageLatency.WithLabels(operation, outcome).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
