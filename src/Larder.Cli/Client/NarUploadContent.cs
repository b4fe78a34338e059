using System.Net;
using Larder.Cli.LocalStore;

namespace Larder.Cli.Client;

/// <summary>
/// An HTTP body that streams a path's NAR straight from the filesystem into the request (chunked, so a NAR that fails
/// its hash check aborts the request instead of completing it).
/// </summary>
public sealed class NarUploadContent(LocalPathInfo info, string compression, Action<long>? onBytes) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        NarSource.WriteAsync(info, compression, stream, onBytes, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
