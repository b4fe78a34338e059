using Larder.Server.Metadata.Relational;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Storage;
using Larder.Server.Storage.Folder;

namespace Larder.Server.Tests.Storage.Chunks;

/// <summary>Chunked storage on SQLite and a blob folder.</summary>
public sealed class SqliteFolderChunkStorageTests : ChunkStorageConformance, IAsyncLifetime
{
    private readonly List<SqliteMetadataStore> _stores = [];

    protected override async Task<RelationalMetadataStore> CreateStoreAsync(TimeProvider time)
    {
        var store = SqliteMetadataStore.ForFile(Path.Combine(Scratch, $"{Guid.NewGuid():N}.db"), time);
        _stores.Add(store);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    protected override Task<IBlobStore> CreateBlobStoreAsync() =>
        Task.FromResult<IBlobStore>(new FolderBlobStore(Path.Combine(Scratch, $"blobs-{Guid.NewGuid():N}")));

    // Every statement and every commit is a call into SQLite: nothing is batched.
    protected override (int Ingest, int Commit) SmallPathRoundTrips => (6, 8);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }
}
