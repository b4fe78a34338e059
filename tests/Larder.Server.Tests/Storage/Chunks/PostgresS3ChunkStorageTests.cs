using Larder.Server.Metadata.Relational;
using Larder.Server.Storage;
using Larder.Server.Tests.ScaleOut;

namespace Larder.Server.Tests.Storage.Chunks;

/// <summary>Chunked storage on PostgreSQL and S3 (radosgw).</summary>
public sealed class PostgresS3ChunkStorageTests : ChunkStorageConformance, IAsyncLifetime
{
    private readonly PostgresS3Backends _backends = new();

    protected override async Task<RelationalMetadataStore> CreateStoreAsync(TimeProvider time) => await _backends.CreateStoreAsync(time);

    protected override async Task<IBlobStore> CreateBlobStoreAsync() => await _backends.CreateBlobStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _backends.DisposeAsync().AsTask();
}
