using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Larder.Contracts.Chunks;

namespace Larder.Cli.Client;

/// <summary>
/// The body of <c>POST chunked-paths/stream</c>: JSON lines, each written and flushed as soon as the channel
/// yields it (chunked, so the server reads each run of chunks while later ones are still being found). When
/// the channel completes with an error, the body breaks off and the server publishes nothing.
/// </summary>
internal sealed class StreamedCommitContent : HttpContent
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly ChannelReader<ChunkedPathRequest> _lines;

    public StreamedCommitContent(ChannelReader<ChunkedPathRequest> lines)
    {
        _lines = lines;
        Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await foreach (var line in _lines.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, line, ChunkJsonContext.Default.ChunkedPathRequest, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
