using Larder.Nix.Chunking;
using Larder.Nix.Hashing;
using Larder.Server.Metadata;
using Larder.Server.Storage.Packs;

namespace Larder.Server.Storage.Chunks;

/// <summary>
/// Receives the chunks of one NAR in order (the callback of a <see cref="ChunkingWriteStream"/>): compresses each into
/// one group buffer of <see cref="GroupBytes"/> (or room for one largest chunk, if more), looks up a group of them at
/// once (<see cref="GroupChunks"/> chunks, or as many as fill the buffer: one metadata round trip per group, not per
/// chunk), gathers those the server lacks into packs
/// (<see cref="PackBuilder"/>, stored when full and at <see cref="CompleteAsync"/>), and hashes the NAR's file form
/// (the stored bytes of its chunks, concatenated) as it goes. When the server holds a chunk whose stored bytes differ
/// from ours (another zstd version or level), the stored bytes are read back and hashed instead; when that shows only
/// as a pack is registered (a concurrent upload stored the chunk first), the file form is hashed again from the store
/// at the end. So <see cref="FileHash"/> is always the hash of what is served. Nothing is stored before the first
/// pack is full, so an upload that fails before <see cref="CompleteAsync"/> and fits in one pack stores nothing.
/// A NAR whose chunks all wait in the last group and fit in one inline pack skips the lookup: its registration finds
/// the chunks already stored (see <see cref="ChunkStore.StoresInline"/>).
/// </summary>
public sealed class ChunkSink(ChunkStore store) : IDisposable
{
    /// <summary>Most chunks looked up at once.</summary>
    public const int GroupChunks = 256;

    /// <summary>
    /// Size of the buffer a group's compressed chunks wait in for their lookup. One buffer for the whole NAR: a buffer
    /// per chunk was a large-object allocation per chunk beyond what the pool keeps, and the garbage collector let
    /// hundreds of MiB of them pile up during a 2 GiB ingest (issue 9).
    /// </summary>
    public const int GroupBytes = 4 << 20;

    private readonly NixHasher _fileHasher = new(HashKind.Sha256);
    private readonly List<ChunkRecord> _chunks = [];
    // Chunks in the pack being gathered: hash → positions in _chunks (a chunk may repeat within a NAR).
    private readonly Dictionary<string, List<int>> _pending = new(StringComparer.Ordinal);
    // Chunks this sink stored in earlier packs, as registered: a repeat later in the NAR needs no lookup.
    private readonly Dictionary<string, ChunkRecord> _stored = new(StringComparer.Ordinal);
    // Compressed chunks waiting for the lookup of their group, in order, in _groupBuffer up to _groupBytes.
    private readonly List<CompressedChunk> _group = [];
    private readonly int _largestStored = CompressedChunk.MaxStoredSize(store.Chunking.MaxSize);
    private byte[]? _groupBuffer;
    private int _groupBytes;
    private PackBuilder? _pack;
    private bool _rehash;
    private bool _foundStored;
    private NixHash? _fileHash;

    /// <summary>The NAR's chunks, in order; final after <see cref="CompleteAsync"/>.</summary>
    public IReadOnlyList<ChunkRecord> Chunks => _chunks;

    /// <summary>Size of the file form; after <see cref="CompleteAsync"/>.</summary>
    public long FileSize => _chunks.Sum(chunk => chunk.StoredSize);

    /// <summary>Hash of the file form; after <see cref="CompleteAsync"/>.</summary>
    public NixHash FileHash => _fileHash ?? throw new InvalidOperationException("the chunk sink is not complete");

    /// <summary>
    /// Whether any chunk of the NAR was stored before this sink stored it (found by a lookup, or registered meanwhile by
    /// another upload); false when every chunk row is this sink's own, so no stored NAR of the same chunks exists.
    /// </summary>
    public bool FoundStoredChunks => _foundStored;

    /// <summary>Takes one chunk (and disposes it).</summary>
    public async ValueTask AcceptAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        using (chunk)
        {
            if (_chunks.Count == 0 && _group.Count == 0)
            {
                // The first chunk gets a buffer of its own size: a NAR of one chunk needs no group buffer.
                _group.Add(CompressedChunk.Compress(chunk.Data.Span, chunk.Hash));
            }
            else
            {
                _groupBuffer ??= ChunkBuffers.Pool.Rent(Math.Max(GroupBytes, _largestStored));
                var compressed = CompressedChunk.CompressInto(chunk.Data.Span, chunk.Hash, _groupBuffer, _groupBytes);
                _group.Add(compressed);
                _groupBytes += compressed.StoredSize;
            }
        }
        if (_group.Count >= GroupChunks || (_groupBuffer is { } buffer && buffer.Length - _groupBytes < _largestStored))
        {
            await PlaceGroupAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Looks up the waiting chunks this sink does not know yet, in one call (unless <paramref name="lookUp"/> is false),
    /// then places each in order.
    /// </summary>
    private async Task PlaceGroupAsync(CancellationToken cancellationToken, bool lookUp = true)
    {
        try
        {
            var unknown = _group
                .Select(chunk => chunk.Hash.ToNix32String())
                .Where(hash => !_pending.ContainsKey(hash) && !_stored.ContainsKey(hash))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var found = lookUp ? await store.FindAsync(unknown, cancellationToken).ConfigureAwait(false) : NothingFound;
            foreach (var compressed in _group)
            {
                await PlaceAsync(compressed, found, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var compressed in _group)
            {
                compressed.Dispose();
            }
            _group.Clear();
            _groupBytes = 0;
        }
    }

    private async Task PlaceAsync(CompressedChunk compressed, IReadOnlyDictionary<string, ChunkRecord> found, CancellationToken cancellationToken)
    {
        var hash = compressed.Hash.ToNix32String();
        if (_pending.TryGetValue(hash, out var positions))
        {
            positions.Add(_chunks.Count);
            _chunks.Add(_chunks[positions[0]]);
            _fileHasher.Append(compressed.Stored.Span);
            return;
        }
        if (_stored.TryGetValue(hash, out var own))
        {
            await AddStoredAsync(compressed, own, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (found.TryGetValue(hash, out var stored))
        {
            _foundStored = true;
            await AddStoredAsync(compressed, stored, cancellationToken).ConfigureAwait(false);
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
            var alone = await store.StoreAsync(compressed, cancellationToken).ConfigureAwait(false);
            // Its row may be another upload's: counted as found, which only costs the ingest a lookup.
            _foundStored = true;
            _stored[hash] = alone;
            await AddStoredAsync(compressed, alone, cancellationToken).ConfigureAwait(false);
            return;
        }
        _pending[hash] = [_chunks.Count];
        _chunks.Add(_pack.Add(compressed));
        _fileHasher.Append(compressed.Stored.Span);
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

    /// <summary>Places the last group, stores the last pack and settles <see cref="Chunks"/>, <see cref="FileHash"/> and <see cref="FileSize"/>.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => CompleteWithAsync(null, cancellationToken);

    /// <summary>
    /// Like <see cref="CompleteAsync"/>, and stores <paramref name="companion"/> with the last pack (or alone, when
    /// there is none).
    /// </summary>
    public async Task CompleteWithAsync(CompanionBlob? companion, CancellationToken cancellationToken)
    {
        // The whole NAR in one inline pack: its registration (one insert per chunk) answers what a lookup would.
        var wholeNarInline = _chunks.Count == 0 && store.StoresInline(_group.Sum(chunk => chunk.StoredSize));
        await PlaceGroupAsync(cancellationToken, lookUp: !wholeNarInline).ConfigureAwait(false);
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
        _foundStored |= registered.FoundStored;
        foreach (var record in registered.Chunks)
        {
            foreach (var position in _pending[record.Hash])
            {
                _rehash |= record.StoredHash != _chunks[position].StoredHash;
                _chunks[position] = record;
            }
            _stored[record.Hash] = record;
        }
        _pending.Clear();
        pack.Reset();
    }

    private static readonly IReadOnlyDictionary<string, ChunkRecord> NothingFound = new Dictionary<string, ChunkRecord>();

    public void Dispose()
    {
        foreach (var compressed in _group)
        {
            compressed.Dispose();
        }
        _group.Clear();
        if (Interlocked.Exchange(ref _groupBuffer, null) is { } buffer)
        {
            ChunkBuffers.Pool.Return(buffer);
        }
        _pack?.Dispose();
        _fileHasher.Dispose();
    }
}
