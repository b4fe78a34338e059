using Larder.Nix.Hashing;
using Larder.Server.Storage.Chunks;
using Larder.Server.Storage.Packs;
using Larder.Server.Storage.SharedPacks;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Storage.SharedPacks;

/// <summary>
/// When <see cref="SharedPackWriter"/> stores what: the blob store and database are left out (the conformance suite in
/// Storage/Chunks runs it on them); the store here records each call and answers each chunk as stored as asked.
/// </summary>
public sealed class SharedPackWriterTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task A_batch_that_fills_while_a_store_runs_is_stored_at_once_beside_it()
    {
        var stores = new RecordingStore();
        var writer = new SharedPackWriter(stores.StoreAsync);
        using var first = Pack(MiB + (MiB / 2));
        var held = writer.StoreAsync(first, null, CancellationToken.None);
        await stores.FirstEntered;

        using var second = Pack(MiB + (MiB / 2));
        using var third = Pack(MiB + (MiB / 2));
        using var fourth = Pack(MiB + (MiB / 2));
        var together = new[] { writer.StoreAsync(second, null, CancellationToken.None), writer.StoreAsync(third, null, CancellationToken.None) };
        // The batch of the second and third cannot take the fourth: it is full and stored now, beside the held first,
        // and the fourth after it.
        var last = writer.StoreAsync(fourth, null, CancellationToken.None);
        await Task.WhenAll([.. together, last]).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(held.IsCompleted);
        stores.ReleaseFirst();
        await held;
        Assert.Equal([1, 2, 1], stores.ChunksPerCall);
        Assert.Equal(0, writer.WaitingPacks);
    }

    [Fact]
    public async Task A_failed_store_fails_its_members_and_the_next_packs_are_stored()
    {
        var stores = new RecordingStore { FailSecond = true };
        var writer = new SharedPackWriter(stores.StoreAsync);
        using var first = Pack(1000);
        var held = writer.StoreAsync(first, null, CancellationToken.None);
        await stores.FirstEntered;
        using var second = Pack(1000);
        using var third = Pack(1000);
        var failing = new[] { writer.StoreAsync(second, null, CancellationToken.None), writer.StoreAsync(third, null, CancellationToken.None) };
        stores.ReleaseFirst();
        await held;

        foreach (var member in failing)
        {
            Assert.Equal("the store is full", (await Assert.ThrowsAsync<IOException>(() => member)).Message);
        }
        using var later = Pack(1000);
        var stored = await writer.StoreAsync(later, null, CancellationToken.None);
        Assert.Equal(later.Chunks.Select(chunk => chunk.Hash), stored.Chunks.Select(chunk => chunk.Hash));
        Assert.False(stored.FoundStored);
    }

    [Fact]
    public async Task A_pack_larger_than_a_shared_blob_is_refused()
    {
        var writer = new SharedPackWriter(new RecordingStore().StoreAsync);
        using var large = Pack(SharedPackWriter.Capacity + 1, capacity: 8 * MiB);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => writer.StoreAsync(large, null, CancellationToken.None));
    }

    /// <summary>A pack of one chunk of about <paramref name="bytes"/> random bytes.</summary>
    private static PackBuilder Pack(int bytes, int capacity = 4 * MiB)
    {
        var pack = new PackBuilder(capacity);
        var data = NarFixtures.RandomBytes(bytes);
        using var chunk = CompressedChunk.Compress(data, NixHash.Compute(HashKind.Sha256, data));
        pack.Add(chunk);
        return pack;
    }

    /// <summary>Records each store; holds the first until <see cref="ReleaseFirst"/>; fails the second when asked.</summary>
    private sealed class RecordingStore
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<int> _chunksPerCall = [];

        public bool FailSecond { get; init; }

        public Task FirstEntered => _entered.Task;

        /// <summary>How many chunks each store had, in the order they began.</summary>
        public IReadOnlyList<int> ChunksPerCall
        {
            get
            {
                lock (_chunksPerCall)
                {
                    return [.. _chunksPerCall];
                }
            }
        }

        public void ReleaseFirst() => _released.TrySetResult();

        public async Task<PackRegistration> StoreAsync(PackBuilder pack, IReadOnlyList<CompanionBlob> companions)
        {
            int call;
            lock (_chunksPerCall)
            {
                _chunksPerCall.Add(pack.Chunks.Count);
                call = _chunksPerCall.Count;
            }
            if (call == 1)
            {
                _entered.TrySetResult();
                await _released.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            else if (call == 2 && FailSecond)
            {
                throw new IOException("the store is full");
            }
            return new PackRegistration([.. pack.Chunks], [.. pack.Chunks]);
        }
    }
}
