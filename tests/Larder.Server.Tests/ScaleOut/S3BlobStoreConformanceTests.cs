using Larder.Server.Storage;
using Larder.Server.Storage.S3;
using Larder.Server.Tests.Storage;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>The blob store conformance suite on <see cref="S3BlobStore"/> over a real radosgw, a fresh bucket per store.</summary>
public sealed class S3BlobStoreConformanceTests : BlobStoreConformance, IAsyncLifetime
{
    private readonly List<S3TestBucket> _buckets = [];
    private readonly List<S3BlobStore> _stores = [];

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        var bucket = await S3TestBucket.CreateAsync();
        _buckets.Add(bucket);
        var store = new S3BlobStore(bucket.Options());
        _stores.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
        foreach (var bucket in _buckets)
        {
            await bucket.DisposeAsync();
        }
    }
}
