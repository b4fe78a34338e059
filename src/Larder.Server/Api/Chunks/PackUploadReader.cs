using System.Buffers.Binary;
using Larder.Nix.Compression;
using Larder.Nix.Hashing;
using Larder.Server.Errors;
using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Packs;

namespace Larder.Server.Api.Chunks;

/// <summary>
/// Reads the body of <c>POST chunks/packs</c>: for each chunk its SHA-256 (32 bytes), the length of its zstd frame
/// (4 bytes, big-endian), then the frame. Every chunk is decompressed, checked against its hash and compressed the way
/// the server stores chunks, into packs held in memory (<see cref="PackBuilder"/>); nothing is stored until the whole
/// body is read and checked, so a bad chunk anywhere stores nothing.
/// </summary>
internal sealed class PackUploadReader(ChunkStore store) : IDisposable
{
    /// <summary>The bytes in front of each frame: its chunk's SHA-256 and the frame's length.</summary>
    public const int HeaderSize = 36;

    private readonly List<PackBuilder> _packs = [];
    private readonly List<CompressedChunk> _loners = [];
    private readonly HashSet<NixHash> _seen = [];

    /// <summary>Distinct chunks read.</summary>
    public int Count => _seen.Count;

    /// <summary>Reads and checks every chunk of <paramref name="body"/>; 400 naming the first problem.</summary>
    public async Task ReadAsync(Stream body, int maxChunks, CancellationToken cancellationToken)
    {
        int maxSize = store.Chunking.MaxSize;
        int frameLimit = maxSize + (maxSize >> 7) + 1024;
        var header = new byte[HeaderSize];
        var frame = ChunkBuffers.Pool.Rent(frameLimit);
        var plain = ChunkBuffers.Pool.Rent(maxSize);
        try
        {
            for (var index = 0; await ReadHeaderAsync(body, header, index, cancellationToken).ConfigureAwait(false); index++)
            {
                var hash = new NixHash(HashKind.Sha256, header.AsSpan(0, 32));
                int length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(32));
                if (length <= 0 || length > frameLimit)
                {
                    throw new InvalidRequestException($"chunk {index} of the pack ({hash}) announces a zstd frame of {length} bytes; a chunk's frame has 1 to {frameLimit}");
                }
                try
                {
                    await body.ReadExactlyAsync(frame.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                catch (EndOfStreamException)
                {
                    throw new InvalidRequestException($"the pack ends inside chunk {index} ({hash}): it is truncated; nothing was stored");
                }
                int size = await ChunkHandlers.ReadChunkAsync(
                    new MemoryStream(frame, 0, length, writable: false), CompressionKind.Zstd, plain.AsMemory(0, maxSize), frameLimit, cancellationToken)
                    .ConfigureAwait(false);
                var actual = NixHash.Compute(HashKind.Sha256, plain.AsSpan(0, size));
                if (actual != hash)
                {
                    throw new InvalidRequestException($"chunk {index} of the pack has hash {actual}, not {hash} as announced; nothing was stored");
                }
                if (!_seen.Add(hash))
                {
                    continue;
                }
                if (_seen.Count > maxChunks)
                {
                    throw new InvalidRequestException($"the pack holds more than {maxChunks} chunks; nothing was stored");
                }
                var compressed = CompressedChunk.Compress(plain.AsSpan(0, size), hash);
                if (_packs.Count == 0 || !_packs[^1].Fits(compressed))
                {
                    _packs.Add(store.NewPack());
                }
                if (_packs[^1].Fits(compressed))
                {
                    _packs[^1].Add(compressed);
                    compressed.Dispose();
                }
                else
                {
                    // Compressed larger than a pack (the client compressed it better): stored as its own blob.
                    _loners.Add(compressed);
                }
            }
        }
        finally
        {
            ChunkBuffers.Pool.Return(frame);
            ChunkBuffers.Pool.Return(plain);
        }
    }

    /// <summary>
    /// Stores what <see cref="ReadAsync"/> read; returns how many of its chunks the server lacked just before (a chunk
    /// it held already, or that a concurrent upload stores first, stays unused bytes in the pack, see
    /// <see cref="Metadata.IMetadataStore.RegisterPackAsync"/>).
    /// </summary>
    public async Task<int> StoreAsync(CancellationToken cancellationToken)
    {
        var held = await store.FindAsync([.. _seen.Select(hash => hash.ToNix32String())], cancellationToken).ConfigureAwait(false);
        foreach (var pack in _packs.Where(pack => pack.Chunks.Count > 0))
        {
            await store.StorePackAsync(pack, null, cancellationToken).ConfigureAwait(false);
        }
        foreach (var loner in _loners)
        {
            await store.StoreAsync(loner, cancellationToken).ConfigureAwait(false);
        }
        return _seen.Count - held.Count;
    }

    public void Dispose()
    {
        foreach (var pack in _packs)
        {
            pack.Dispose();
        }
        foreach (var loner in _loners)
        {
            loner.Dispose();
        }
    }

    /// <summary>Reads the next header; false at the end of the body, 400 when it ends inside one.</summary>
    private static async Task<bool> ReadHeaderAsync(Stream body, byte[] header, int index, CancellationToken cancellationToken)
    {
        int read = await body.ReadAtLeastAsync(header, HeaderSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read switch
        {
            0 => false,
            HeaderSize => true,
            _ => throw new InvalidRequestException($"the pack ends inside the header of chunk {index}: it is truncated; nothing was stored"),
        };
    }
}
