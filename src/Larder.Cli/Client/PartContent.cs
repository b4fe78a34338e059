using System.Buffers;
using System.Net;

namespace Larder.Cli.Client;

/// <summary>
/// One part of a resumable upload: at most <paramref name="limit"/> bytes taken from a shared source stream.
/// <see cref="Written"/> tells afterwards how much it took; fewer than the limit means the source ended.
/// </summary>
internal sealed class PartContent(Stream source, long limit, Action<long>? onBytes) : HttpContent
{
    public long Written { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            while (Written < limit)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - Written)), cancellationToken)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                Written += read;
                onBytes?.Invoke(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
