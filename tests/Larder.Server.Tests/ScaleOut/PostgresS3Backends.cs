using Larder.Server.Metadata.Postgres;
using Larder.Server.Storage.S3;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>Fresh PostgreSQL databases (with stores on them) and S3 buckets for one test class, all dropped at dispose.</summary>
public sealed class PostgresS3Backends : IAsyncDisposable
{
    private readonly List<PostgresTestDatabase> _databases = [];
    private readonly List<PostgresMetadataStore> _stores = [];
    private readonly List<S3TestBucket> _buckets = [];
    private readonly List<S3BlobStore> _blobStores = [];

    /// <summary>The connection string of the newest database.</summary>
    public string ConnectionString => _databases[^1].ConnectionString;

    /// <summary>A migrated store on a new, empty database.</summary>
    public async Task<PostgresMetadataStore> CreateStoreAsync(TimeProvider time)
    {
        _databases.Add(await PostgresTestDatabase.CreateAsync());
        var store = OpenReplica(time);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    /// <summary>Another store on the newest database (another replica).</summary>
    public PostgresMetadataStore OpenReplica(TimeProvider time)
    {
        var store = new PostgresMetadataStore(ConnectionString, time);
        _stores.Add(store);
        return store;
    }

    /// <summary>A blob store on a new, empty bucket.</summary>
    public async Task<S3BlobStore> CreateBlobStoreAsync()
    {
        var bucket = await S3TestBucket.CreateAsync();
        _buckets.Add(bucket);
        var store = new S3BlobStore(bucket.Options());
        _blobStores.Add(store);
        return store;
    }

    public async ValueTask DisposeAsync()
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
