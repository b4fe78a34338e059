using Larder.Server.Metadata.Relational;
using Larder.Server.Storage;
using Larder.Server.Tests.Maintenance;
using Npgsql;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>The reaper on PostgreSQL and S3 (radosgw), replicas being stores on one database.</summary>
public sealed class PostgresS3ReaperTests : ReaperConformance, IAsyncLifetime
{
    private readonly PostgresS3Backends _backends = new();

    protected override async Task<RelationalMetadataStore> CreateStoreAsync(TimeProvider time) => await _backends.CreateStoreAsync(time);

    protected override Task<RelationalMetadataStore> OpenReplicaAsync(TimeProvider time) =>
        Task.FromResult<RelationalMetadataStore>(_backends.OpenReplica(time));

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_backends.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task BulkInsertHeldNarsAsync(int count)
    {
        await using var connection = new NpgsqlConnection(_backends.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO nars (nar_hash, nar_size, compression, file_hash, file_size, created_at, holders)
            SELECT 'sha256:bulk' || i, 1, 'zstd', 'sha256:file' || i, 1, now(), 1 FROM generate_series(1, $1) AS i;
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = count });
        await command.ExecuteNonQueryAsync();
        await using var chunks = new NpgsqlCommand(
            """
            INSERT INTO chunks (hash, storage_key, size, stored_hash, stored_size, compression, holders, created_at)
            SELECT 'sha256:bulk' || i, 'chunks/bulk/' || i, 1, 'sha256:stored' || i, 1, 'zstd', 1, now() FROM generate_series(1, $1) AS i;
            """,
            connection);
        chunks.Parameters.Add(new NpgsqlParameter { Value = count });
        await chunks.ExecuteNonQueryAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE nars; ANALYZE chunks;", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    protected override async Task<IBlobStore> CreateBlobStoreAsync() => await _backends.CreateBlobStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _backends.DisposeAsync().AsTask();
}
