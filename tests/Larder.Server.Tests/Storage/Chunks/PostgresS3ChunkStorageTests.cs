using Larder.Server.Metadata.Postgres;
using Larder.Server.Metadata.Relational;
using Larder.Server.Storage;
using Larder.Server.Storage.S3;
using Larder.Server.Tests.ScaleOut;

namespace Larder.Server.Tests.Storage.Chunks;

/// <summary>Chunked storage on PostgreSQL and S3 (radosgw).</summary>
public sealed class PostgresS3ChunkStorageTests : ChunkStorageConformance, IAsyncLifetime
{
    private readonly List<PostgresTestDatabase> _databases = [];
    private readonly List<PostgresMetadataStore> _stores = [];
    private readonly List<S3TestBucket> _buckets = [];
    private readonly List<S3BlobStore> _blobStores = [];

    protected override async Task<RelationalMetadataStore> CreateStoreAsync(TimeProvider time)
    {
        _databases.Add(await PostgresTestDatabase.CreateAsync());
        var store = new PostgresMetadataStore(_databases[^1].ConnectionString, time);
        _stores.Add(store);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    protected override async Task<IBlobStore> CreateBlobStoreAsync()
    {
        var bucket = await S3TestBucket.CreateAsync();
        _buckets.Add(bucket);
        var store = new S3BlobStore(bucket.Options());
        _blobStores.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
        foreach (var store in _blobStores)
        {
            store.Dispose();
        }
        foreach (var bucket in _buckets)
        {
            await bucket.DisposeAsync();
        }
    }
}
