using System.Threading.Channels;
using Larder.Server.Metadata;
using Larder.Server.Storage;
using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Packs;

namespace Larder.Server.Ingest.StreamedCommit;

/// <summary>
/// The file form of a NAR whose chunks are announced while it is read: the stored bytes of each run of chunks
/// <paramref name="runs"/> yields, in order, waiting for the next run when the stream has caught up. It ends when the
/// channel is completed, and fails with the channel's error.
/// </summary>
public sealed class AnnouncedChunksStream(ChunkStore store, ChannelReader<IReadOnlyList<ChunkRecord>> runs) : SequentialBlobsStream
{
    private readonly List<BlobSpan> _spans = [];

    protected override int Count => _spans.Count;

    protected override async ValueTask<bool> HasBlobAsync(int index, CancellationToken cancellationToken)
    {
        while (index >= _spans.Count)
        {
            if (!await runs.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
            while (runs.TryRead(out var run))
            {
                _spans.AddRange(BlobSpans.All(run));
            }
        }
        return true;
    }

    protected override long SizeOf(int index) => _spans[index].Length;

    protected override Task<Stream> OpenAsync(int index, CancellationToken cancellationToken) => store.OpenSpanAsync(_spans[index], cancellationToken);

    protected override string SizeMismatch(int index) => StoredChunksStream.DescribeMismatch(_spans[index]);
}
