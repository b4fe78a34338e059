using Larder.Server.Metadata;
using Larder.Server.Metadata.Sqlite;
using Larder.Testing;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Tests.Metadata;

/// <summary>The conformance suite on SQLite, each test with its own database file.</summary>
public sealed class SqliteMetadataStoreTests : MetadataStoreConformance, IDisposable
{
    private readonly TempDirectory _dir = new("larder-sqlite");
    private readonly List<SqliteMetadataStore> _stores = [];

    protected override async Task<IMetadataStore> CreateStoreAsync()
    {
        var store = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, $"{_stores.Count}.db"));
        _stores.Add(store);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task Migrations_are_recorded_in_schema_migrations()
    {
        var store = (SqliteMetadataStore)await CreateStoreAsync();
        await store.MigrateAsync(CancellationToken.None);
        Assert.Equal(SqliteMigrations.All.Select(m => m.Version), await store.GetAppliedMigrationsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Migration_2_carries_version_1_data_over_with_holders_and_references()
    {
        var path = Path.Combine(_dir.Path, "v1.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = SqliteMigrations.All[0].Sql + $"""
                CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
                INSERT INTO schema_migrations VALUES (1, 0);
                INSERT INTO caches VALUES (1, 'c', 1, 40, '/nix/store', 'k:x', '', 0);
                INSERT INTO nars VALUES (1, 'sha256:used', 10, 'zstd', 'sha256:f1', 5, 'listings/used.ls', 0);
                INSERT INTO nars VALUES (2, 'sha256:orphan', 10, 'zstd', 'sha256:f2', 5, 'listings/orphan.ls', 0);
                INSERT INTO nar_chunks VALUES (1, 0, 'sha256:used', 'chunks/used.zst', 10, 'sha256:f1', 5, 'zstd');
                INSERT INTO nar_chunks VALUES (2, 0, 'sha256:orphan', 'chunks/orphan.zst', 10, 'sha256:f2', 5, 'zstd');
                INSERT INTO paths VALUES (1, '{Dependency}', '/nix/store/{Dependency}-dep', 1, '', NULL, '', NULL, 0, 0);
                INSERT INTO paths VALUES (1, '{Dependent}', '/nix/store/{Dependent}-top', 1, '{Dependency}-dep {Dependent}-top', NULL, '', NULL, 0, 0);
                INSERT INTO staged_nars VALUES (1, 1, 'nar/x.nar', 'sha256:u', 5, 'sha256:used', 10, 'sha256:f1', 5, 'listings/used.ls', 0);
                INSERT INTO staged_chunks VALUES (1, 0, 'sha256:used', 'chunks/used.zst', 10, 'sha256:f1', 5, 'zstd');
                """;
            await command.ExecuteNonQueryAsync();
        }
        using var store = SqliteMetadataStore.ForFile(path);

        await store.MigrateAsync(CancellationToken.None);

        await MetadataStoreConformance.AssertVersion1DataCarriedOverAsync(store, 1, Dependency, Dependent);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Migration_3_marks_a_database_with_tokens_as_started(bool hadTokens, bool firstStartRuns)
    {
        var path = Path.Combine(_dir.Path, $"v2-{hadTokens}.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = SqliteMigrations.All[0].Sql + SqliteMigrations.All[1].Sql + """
                CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
                INSERT INTO schema_migrations VALUES (1, 0), (2, 0);
                """ + (hadTokens ? "INSERT INTO tokens (description, secret_hash, grants, created_at) VALUES ('admin', 'h', '*=15', 0);" : "");
            await command.ExecuteNonQueryAsync();
        }
        using var store = SqliteMetadataStore.ForFile(path);

        await store.MigrateAsync(CancellationToken.None);

        Assert.Equal(firstStartRuns, await store.InitializeOnceAsync(MetadataSamples.Token(), _ => Task.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task Migration_14_copies_each_path_s_nar_size_onto_it_for_the_largest_paths_index()
    {
        var path = Path.Combine(_dir.Path, "v13.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            var before = SqliteMigrations.All.Where(m => m.Version < 14).ToList();
            command.CommandText = string.Concat(before.Select(m => m.Sql)) + $"""
                CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
                INSERT INTO schema_migrations VALUES {string.Join(", ", before.Select(m => $"({m.Version}, 0)"))};
                INSERT INTO caches (id, name, is_public, priority, store_dir, signing_key, upstream_key_names, created_at) VALUES (1, 'c', 1, 40, '/nix/store', 'k:x', '', 0);
                INSERT INTO nars (id, nar_hash, nar_size, compression, file_hash, file_size, created_at, holders) VALUES (1, 'sha256:small', 10, 'zstd', 'sha256:f1', 5, 0, 1);
                INSERT INTO nars (id, nar_hash, nar_size, compression, file_hash, file_size, created_at, holders) VALUES (2, 'sha256:large', 4242, 'zstd', 'sha256:f2', 5, 0, 1);
                INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, signatures, created_at, last_accessed_at) VALUES (1, '{Dependency}', '/nix/store/{Dependency}-small', 1, '', '', 0, 0);
                INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, signatures, created_at, last_accessed_at) VALUES (1, '{Dependent}', '/nix/store/{Dependent}-large', 2, '', '', 0, 0);
                """;
            await command.ExecuteNonQueryAsync();
        }
        using var store = SqliteMetadataStore.ForFile(path);

        await store.MigrateAsync(CancellationToken.None);

        var largest = await store.ListLargestPathsAsync(1, 10, CancellationToken.None);
        Assert.Equal([(Dependent, 4242L), (Dependency, 10L)], largest.Select(p => (p.HashPart, p.NarSize)));
    }

    private const string Dependency = "0000000000000000000000000000000a";
    private const string Dependent = "0000000000000000000000000000000b";

    [Fact]
    public async Task A_writer_waiting_for_another_writer_of_the_process_awaits_instead_of_blocking_its_thread()
    {
        var path = Path.Combine(_dir.Path, "lock.db");
        using var one = new SqliteDialect($"Data Source={path}");
        using var other = new SqliteDialect($"Data Source={path}");
        using var first = await one.OpenAsync(CancellationToken.None);
        using var second = await other.OpenAsync(CancellationToken.None);
        var held = await one.BeginWriteAsync(first.Connection, CancellationToken.None);

        var waiting = other.BeginWriteAsync(second.Connection, CancellationToken.None);

        Assert.False(waiting.IsCompleted);
        await held.CommitAsync();
        one.EndWrite();
        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        await next.CommitAsync();
        other.EndWrite();
    }

    [Fact]
    public async Task A_second_store_on_the_same_file_sees_committed_data()
    {
        var path = Path.Combine(_dir.Path, "shared.db");
        using var writer = SqliteMetadataStore.ForFile(path);
        using var reader = SqliteMetadataStore.ForFile(path);
        await writer.MigrateAsync(CancellationToken.None);
        await reader.MigrateAsync(CancellationToken.None);
        var cache = await writer.CreateCacheAsync(MetadataSamples.Cache(), CancellationToken.None);
        var commit = MetadataSamples.Commit(cache.Id);
        await writer.CommitNewAsync(commit, CancellationToken.None);

        Assert.NotNull(await reader.GetPathAsync(cache.Id, commit.HashPart, CancellationToken.None));
    }

    [Fact]
    public async Task An_unopenable_database_is_reported_as_unavailable()
    {
        using var store = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, "no-such-dir", "x.db"));
        await Assert.ThrowsAsync<MetadataUnavailableException>(() => store.MigrateAsync(CancellationToken.None));
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
        _dir.Dispose();
    }
}
