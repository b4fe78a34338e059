using Larder.Cli.Client;
using Larder.Nix.Hashing;

namespace Larder.Cli.Commands.Push;

/// <summary>
/// Gathers the chunks a push sends into pack uploads (<c>POST …/chunks/packs</c>) of at most the server's pack size,
/// so that the server stores them as one object and the push makes one request per pack instead of one per chunk.
/// Shared by all paths of a push; at most <c>jobs</c> packs are in flight, and adding to a full pack waits for a slot,
/// which holds back the reading. Each chunk added gets the task of the upload that carries it.
/// </summary>
internal sealed class ChunkPacker(LarderClient client, string cache, int packSize, int jobs, Action<long> sent)
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _slots = new(Math.Max(1, jobs));
    private OpenPack? _open;

    /// <summary>
    /// Adds the chunk with <paramref name="hash"/> (<paramref name="length"/> bytes, as its zstd
    /// <paramref name="frame"/>); returns the task of its pack's upload, which starts when the pack is full or at
    /// <see cref="FlushAsync"/>.
    /// </summary>
    public async Task<Task> AddAsync(NixHash hash, int length, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (ChunkPackBody.HeaderSize + frame.Length > packSize)
        {
            // Larger than a pack by itself: it goes up alone.
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await client.UploadChunkAsync(cache, hash, frame, cancellationToken).ConfigureAwait(false);
                sent(length);
                return Task.CompletedTask;
            }
            finally
            {
                _slots.Release();
            }
        }
        OpenPack? full = null;
        Task upload;
        lock (_lock)
        {
            if (_open is { } open && open.Body.Length + ChunkPackBody.HeaderSize + frame.Length > packSize)
            {
                full = open;
                _open = null;
            }
            _open ??= new OpenPack();
            _open.Body.Add(hash, length, frame.Span);
            upload = _open.Uploaded.Task;
        }
        if (full is not null)
        {
            await StartAsync(full, cancellationToken).ConfigureAwait(false);
        }
        return upload;
    }

    /// <summary>Starts the upload of the pack being gathered, if any.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        OpenPack? open;
        lock (_lock)
        {
            (open, _open) = (_open, null);
        }
        if (open is not null)
        {
            await StartAsync(open, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StartAsync(OpenPack pack, CancellationToken cancellationToken)
    {
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            pack.Uploaded.TrySetCanceled(cancellationToken);
            throw;
        }
        _ = UploadAsync(pack, cancellationToken);
    }

    private async Task UploadAsync(OpenPack pack, CancellationToken cancellationToken)
    {
        try
        {
            await client.UploadPackAsync(cache, pack.Body.Bytes, pack.Body.Count, cancellationToken).ConfigureAwait(false);
            sent(pack.Body.ChunkBytes);
            pack.Uploaded.SetResult();
        }
        catch (Exception e)
        {
            pack.Uploaded.SetException(e);
        }
        finally
        {
            _slots.Release();
        }
    }

    private sealed class OpenPack
    {
        public ChunkPackBody Body { get; } = new();

        public TaskCompletionSource Uploaded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
