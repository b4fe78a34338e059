using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Packs;

namespace Larder.Server.Storage.SharedPacks;

/// <summary>
/// Stores the small packs of concurrent uploads together, as one blob with one intent and one registration
/// (<c>Larder:Storage:SharedPackThreshold</c>): a group commit for the blob store. A pack handed in while no store is
/// running is stored at once, alone, as before; packs handed in while one runs wait for it and go out together in
/// the next one, up to <see cref="Capacity"/> bytes a blob. So a lone upload waits for nothing, and N uploads at once
/// cost about one S3 PUT (or one file with its fsyncs), one intent and one registering transaction instead of N each.
/// A batch that fills up while others are being stored starts a store of its own, up to <see cref="MaxStores"/> at
/// once: against a store far away (an S3 PUT of 50–100 ms) one store at a time would cap the bytes per second.
/// Each pack's bytes are copied when it is handed in: an upload that gives up while it waits (its request cancelled)
/// takes nothing from the others, and its chunks, registered without holders, go to the reaper as any unused chunk.
/// </summary>
/// <param name="store">Stores one pack (the gathered ones, or one alone) with the companions of its members.</param>
public sealed class SharedPackWriter(Func<PackBuilder, IReadOnlyList<CompanionBlob>, Task<PackRegistration>> store)
{
    /// <summary>Most bytes in one shared blob; also the largest <c>Larder:Storage:SharedPackThreshold</c>.</summary>
    public const int Capacity = 4 << 20;

    /// <summary>Most batches stored at once.</summary>
    public const int MaxStores = 4;

    private readonly Lock _gate = new();
    private readonly Queue<SharedPackBatch> _full = new();
    private SharedPackBatch? _open;
    private int _stores;

    /// <summary>Packs handed in and not yet being stored: waiting for a store that runs to end.</summary>
    public int WaitingPacks
    {
        get
        {
            lock (_gate)
            {
                return _full.Sum(batch => batch.Members) + (_open?.Members ?? 0);
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="pack"/> (at most <see cref="Capacity"/> bytes) and <paramref name="companion"/>, alone or
    /// with the packs of other uploads; answers its chunks' records as <see cref="ChunkStore.StorePackAsync"/> does.
    /// </summary>
    public Task<RegisteredPack> StoreAsync(PackBuilder pack, CompanionBlob? companion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pack.Bytes.Length, Capacity);
        SharedPackMember member;
        var start = false;
        lock (_gate)
        {
            if (_open is { } open && !open.Fits(pack))
            {
                _full.Enqueue(open);
                _open = null;
            }
            _open ??= new SharedPackBatch(Capacity);
            member = _open.Add(pack, companion);
            if (_stores == 0 || (_full.Count > 0 && _stores < MaxStores))
            {
                _stores++;
                start = true;
            }
        }
        if (start)
        {
            _ = Task.Run(StoreWaitingAsync, CancellationToken.None);
        }
        return member.Registered.WaitAsync(cancellationToken);
    }

    /// <summary>Stores waiting batches, full ones first, one after the other until none is left.</summary>
    private async Task StoreWaitingAsync()
    {
        while (true)
        {
            SharedPackBatch batch;
            lock (_gate)
            {
                if (_full.TryDequeue(out var full))
                {
                    batch = full;
                }
                else if (_open is { } open)
                {
                    batch = open;
                    _open = null;
                }
                else
                {
                    _stores--;
                    return;
                }
            }
            using (batch)
            {
                try
                {
                    batch.Complete(await store(batch.Pack, batch.Companions).ConfigureAwait(false));
                }
                catch (Exception error)
                {
                    batch.Fail(error);
                }
            }
        }
    }
}
