using Larder.Server.Metadata;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Reads the stored (compressed) bytes of chunks one after another, opening each blob only when the previous one is
/// read to its end: a NAR's file form, streamed. A blob shorter or longer than its recorded size is an
/// <see cref="IOException"/> naming the chunk.
/// </summary>
public sealed class StoredChunksStream(ChunkStore store, IReadOnlyList<ChunkRecord> chunks) : SequentialBlobsStream
{
    protected override int Count => chunks.Count;

    protected override long SizeOf(int index) => chunks[index].StoredSize;

    protected override Task<Stream> OpenAsync(int index, CancellationToken cancellationToken) => store.OpenStoredAsync(chunks[index], cancellationToken);

    protected override string SizeMismatch(int index) =>
        $"the stored bytes of chunk {chunks[index].Hash} do not have their recorded size {chunks[index].StoredSize}";
}
