using Larder.Server.Metadata;
using Larder.Server.Storage.Packs;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Reads the stored (compressed) bytes of chunks one after another, opening each blob (or each run of neighbouring
/// chunks in one pack, <see cref="BlobSpans"/>) only when the previous one is read to its end: a NAR's file form,
/// streamed. A blob shorter or longer than its recorded size is an <see cref="IOException"/> naming the chunk.
/// </summary>
public sealed class StoredChunksStream(ChunkStore store, IReadOnlyList<ChunkRecord> chunks) : SequentialBlobsStream
{
    private readonly IReadOnlyList<BlobSpan> _spans = BlobSpans.All(chunks);

    protected override int Count => _spans.Count;

    protected override long SizeOf(int index) => _spans[index].Length;

    protected override Task<Stream> OpenAsync(int index, CancellationToken cancellationToken) => store.OpenSpanAsync(_spans[index], cancellationToken);

    protected override string SizeMismatch(int index) => DescribeMismatch(_spans[index]);

    /// <summary>The message saying that <paramref name="span"/>'s blob does not hold its recorded bytes.</summary>
    public static string DescribeMismatch(BlobSpan span)
    {
        ArgumentNullException.ThrowIfNull(span);
        return PackKeys.IsPack(span.Key)
            ? $"pack '{span.Key}' is shorter than its recorded chunks from chunk {span.FirstChunk} on"
            : $"the stored bytes of chunk {span.FirstChunk} do not have their recorded size {span.Length}";
    }
}
