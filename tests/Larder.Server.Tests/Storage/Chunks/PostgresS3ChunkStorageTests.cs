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

    // Ingest: the chunk's lookup, the intent with its commit, claim and insert, the commit (no lookup of a stored NAR:
    // its chunk was new). Commit: the
    // path's lock, the checks that it is absent and its references present, the NAR's insert and its chunk's holder in
    // one batch; the listing's claim (a NAR with no staged upload to take its listing over); the chunk list, the path,
    // the event with the commit.
    protected override (int Ingest, int Commit) SmallPathRoundTrips => (4, 3);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _backends.DisposeAsync().AsTask();
}
