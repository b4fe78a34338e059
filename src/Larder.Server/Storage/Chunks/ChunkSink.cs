using Larder.Nix.Chunking;
using Larder.Nix.Hashing;
using Larder.Server.Metadata;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Receives the chunks of one NAR in order (the callback of a <see cref="ChunkingWriteStream"/>): compresses each,
/// stores only those the server lacks, and hashes the NAR's file form (the stored bytes of its chunks, concatenated)
/// as it goes. When the server holds a chunk whose stored bytes differ from ours (another zstd version or level), the
/// stored bytes are read back and hashed instead, so <see cref="FileHash"/> is always the hash of what is served.
/// </summary>
public sealed class ChunkSink(ChunkStore store) : IDisposable
{
    private readonly NixHasher _fileHasher = new(HashKind.Sha256);
    private readonly List<ChunkRecord> _chunks = [];

    /// <summary>The NAR's chunks so far, in order.</summary>
    public IReadOnlyList<ChunkRecord> Chunks => _chunks;

    /// <summary>Size of the file form so far.</summary>
    public long FileSize { get; private set; }

    /// <summary>Hash of the file form so far.</summary>
    public NixHash FileHash => _fileHasher.GetCurrentHash();

    /// <summary>Takes one chunk (and disposes it).</summary>
    public async ValueTask AcceptAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        using (chunk)
        {
            using var compressed = CompressedChunk.Compress(chunk.Data.Span, chunk.Hash);
            var record = await store.FindOrStoreAsync(compressed, cancellationToken).ConfigureAwait(false);
            if (record.StoredHash == compressed.StoredHash.ToNix32String())
            {
                _fileHasher.Append(compressed.Stored.Span);
            }
            else
            {
                await store.HashStoredAsync(record, _fileHasher, cancellationToken).ConfigureAwait(false);
            }
            _chunks.Add(record);
            FileSize += record.StoredSize;
        }
    }

    public void Dispose() => _fileHasher.Dispose();
}
