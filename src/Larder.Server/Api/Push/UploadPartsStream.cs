using Larder.Nix.Streams;
using Larder.Server.Metadata;
using Larder.Server.Storage;

namespace Larder.Server.Api.Push;

/// <summary>
/// Reads an upload's parts one after another, opening each blob only when the previous one is read to its end. A blob
/// shorter or longer than its recorded size is an <see cref="IOException"/> naming the part.
/// </summary>
internal sealed class UploadPartsStream(IBlobStore blobs, IReadOnlyList<UploadPartRecord> parts) : ReadOnlyStream
{
    private int _next;
    private Stream? _current;
    private long _remaining;

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("upload parts are read asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            if (_current is null)
            {
                if (_next == parts.Count)
                {
                    return 0;
                }
                _remaining = parts[_next].Size;
                _current = await blobs.OpenReadAsync(parts[_next++].StorageKey, 0, cancellationToken).ConfigureAwait(false);
            }
            var read = await _current.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining + 1)], cancellationToken).ConfigureAwait(false);
            if (read > _remaining || (read == 0 && _remaining > 0))
            {
                throw new IOException($"upload part '{parts[_next - 1].StorageKey}' does not have its recorded size {parts[_next - 1].Size}");
            }
            if (read > 0)
            {
                _remaining -= read;
                return read;
            }
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
        return 0;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _current = null;
        }
        base.Dispose(disposing);
    }
}
