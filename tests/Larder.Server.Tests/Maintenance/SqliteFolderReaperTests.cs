using Larder.Server.Metadata.Relational;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Storage;
using Larder.Server.Storage.Folder;
using Larder.Testing;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Tests.Maintenance;

/// <summary>The reaper on SQLite and a blob folder.</summary>
public sealed class SqliteFolderReaperTests : ReaperConformance, IDisposable
{
    private readonly TempDirectory _dir = new("larder-reaper");
    private readonly List<SqliteMetadataStore> _stores = [];
    private string _database = "";

    protected override async Task<RelationalMetadataStore> CreateStoreAsync(TimeProvider time)
    {
        _database = Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db");
        var store = await OpenReplicaAsync(time);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    protected override Task<RelationalMetadataStore> OpenReplicaAsync(TimeProvider time)
    {
        var store = SqliteMetadataStore.ForFile(_database, time);
        _stores.Add(store);
        return Task.FromResult<RelationalMetadataStore>(store);
    }

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task BulkInsertHeldNarsAsync(int count)
    {
        await using var connection = new SqliteConnection($"Data Source={_database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
            INSERT INTO nars (nar_hash, nar_size, compression, file_hash, file_size, created_at, holders)
            SELECT 'sha256:bulk' || i, 1, 'zstd', 'sha256:file' || i, 1, 0, 1 FROM n;
            WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
            INSERT INTO chunks (hash, storage_key, size, stored_hash, stored_size, compression, holders, created_at)
            SELECT 'sha256:bulk' || i, 'chunks/bulk/' || i, 1, 'sha256:stored' || i, 1, 'zstd', 1, 0 FROM n;
            """;
        command.Parameters.AddWithValue("$count", count);
        await command.ExecuteNonQueryAsync();
    }

    protected override Task<IBlobStore> CreateBlobStoreAsync() =>
        Task.FromResult<IBlobStore>(new FolderBlobStore(Path.Combine(_dir.Path, $"blobs-{Guid.NewGuid():N}")));

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
        _dir.Dispose();
    }
}
