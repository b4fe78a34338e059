using Larder.Server.Metadata;
using Larder.Server.Storage;

namespace Larder.Server.Api.Push;

/// <summary>Reads an upload's parts from the blob store one after another, as the bytes the client sent.</summary>
internal sealed class UploadPartsStream(IBlobStore blobs, IReadOnlyList<UploadPartRecord> parts) : SequentialBlobsStream
{
    protected override int Count => parts.Count;

    protected override long SizeOf(int index) => parts[index].Size;

    protected override Task<Stream> OpenAsync(int index, CancellationToken cancellationToken) =>
        blobs.OpenReadAsync(parts[index].StorageKey, 0, cancellationToken);

    protected override string SizeMismatch(int index) =>
        $"upload part '{parts[index].StorageKey}' does not have its recorded size {parts[index].Size}";
}
