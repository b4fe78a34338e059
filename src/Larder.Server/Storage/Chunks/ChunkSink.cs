using Larder.Nix.Chunking;
using Larder.Nix.Hashing;
using Larder.Server.Metadata;
using Larder.Server.Storage.Packs;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Receives the chunks of one NAR in order (the callback of a <see cref="ChunkingWriteStream"/>): compresses each,
/// gathers those the server lacks into packs (<see cref="PackBuilder"/>, stored when full and at
/// <see cref="CompleteAsync"/>), and hashes the NAR's file form (the stored bytes of its chunks, concatenated) as it
/// goes. When the server holds a chunk whose stored bytes differ from ours (another zstd version or level), the stored
/// bytes are read back and hashed instead; when that shows only as a pack is registered (a concurrent upload stored
/// the chunk first), the file form is hashed again from the store at the end. So <see cref="FileHash"/> is always the
/// hash of what is served. Nothing is stored before the first pack is full, so an upload that fails before
/// <see cref="CompleteAsync"/> and fits in one pack stores nothing.
/// </summary>
public sealed class ChunkSink(ChunkStore store) : IDisposable
{
    private readonly NixHasher _fileHasher = new(HashKind.Sha256);
    private readonly List<ChunkRecord> _chunks = [];
    // Chunks in the pack being gathered: hash → positions in _chunks (a chunk may repeat within a NAR).
    private readonly Dictionary<string, List<int>> _pending = new(StringComparer.Ordinal);
    private PackBuilder? _pack;
    private bool _rehash;
    private NixHash? _fileHash;

    /// <summary>The NAR's chunks, in order; final after <see cref="CompleteAsync"/>.</summary>
    public IReadOnlyList<ChunkRecord> Chunks => _chunks;

    /// <summary>Size of the file form; after <see cref="CompleteAsync"/>.</summary>
    public long FileSize => _chunks.Sum(chunk => chunk.StoredSize);

    /// <summary>Hash of the file form; after <see cref="CompleteAsync"/>.</summary>
    public NixHash FileHash => _fileHash ?? throw new InvalidOperationException("the chunk sink is not complete");

    /// <summary>Takes one chunk (and disposes it).</summary>
    public async ValueTask AcceptAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        using (chunk)
        {
            using var compressed = CompressedChunk.Compress(chunk.Data.Span, chunk.Hash);
            var hash = chunk.Hash.ToNix32String();
            if (_pending.TryGetValue(hash, out var positions))
            {
                positions.Add(_chunks.Count);
                _chunks.Add(_chunks[positions[0]]);
                _fileHasher.Append(compressed.Stored.Span);
                return;
            }
            var found = await store.FindAsync([hash], cancellationToken).ConfigureAwait(false);
            if (found.TryGetValue(hash, out var held))
            {
                await AddStoredAsync(compressed, held, cancellationToken).ConfigureAwait(false);
                return;
            }
            _pack ??= store.NewPack();
            if (!_pack.Fits(compressed))
            {
                await FlushAsync(null, cancellationToken).ConfigureAwait(false);
            }
            if (!_pack.Fits(compressed))
            {
                // Larger than a whole pack (Larder:Chunking:PackSize below MaxSize): stored as its own blob, at once.
                await AddStoredAsync(compressed, await store.StoreAsync(compressed, cancellationToken).ConfigureAwait(false), cancellationToken)
                    .ConfigureAwait(false);
                return;
            }
            _pending[hash] = [_chunks.Count];
            _chunks.Add(_pack.Add(compressed));
            _fileHasher.Append(compressed.Stored.Span);
        }
    }

    /// <summary>Appends <paramref name="stored"/>, the server's record of <paramref name="compressed"/>, hashing what it serves.</summary>
    private async Task AddStoredAsync(CompressedChunk compressed, ChunkRecord stored, CancellationToken cancellationToken)
    {
        if (stored.StoredHash == compressed.StoredHash.ToNix32String())
        {
            _fileHasher.Append(compressed.Stored.Span);
        }
        else
        {
            await store.HashStoredAsync(stored, _fileHasher, cancellationToken).ConfigureAwait(false);
        }
        _chunks.Add(stored);
    }

    /// <summary>Stores the last pack and settles <see cref="Chunks"/>, <see cref="FileHash"/> and <see cref="FileSize"/>.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => CompleteWithAsync(null, cancellationToken);

    /// <summary>
    /// Like <see cref="CompleteAsync"/>, and stores <paramref name="companion"/> with the last pack (or alone, when
    /// there is none).
    /// </summary>
    public async Task CompleteWithAsync(CompanionBlob? companion, CancellationToken cancellationToken)
    {
        if (_pack is { Chunks.Count: > 0 })
        {
            await FlushAsync(companion, cancellationToken).ConfigureAwait(false);
        }
        else if (companion is not null)
        {
            await store.StoreCompanionAsync(companion, cancellationToken).ConfigureAwait(false);
        }
        _pack?.Dispose();
        if (!_rehash)
        {
            _fileHash = _fileHasher.GetCurrentHash();
            return;
        }
        using var hasher = new NixHasher(HashKind.Sha256);
        var stored = new StoredChunksStream(store, _chunks);
        await using (stored.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await stored.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
        _fileHash = hasher.GetCurrentHash();
    }

    private async Task FlushAsync(CompanionBlob? companion, CancellationToken cancellationToken)
    {
        if (_pack is not { Chunks.Count: > 0 } pack)
        {
            return;
        }
        var registered = await store.StorePackAsync(pack, companion, cancellationToken).ConfigureAwait(false);
        foreach (var record in registered)
        {
            foreach (var position in _pending[record.Hash])
            {
                _rehash |= record.StoredHash != _chunks[position].StoredHash;
                _chunks[position] = record;
            }
        }
        _pending.Clear();
        pack.Reset();
    }

    public void Dispose()
    {
        _pack?.Dispose();
        _fileHasher.Dispose();
    }
}
