using Larder.Server.Metadata;
using Larder.Server.Metadata.Postgres;
using Larder.Server.Tests.Metadata;
using Npgsql;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>The metadata conformance suite on PostgreSQL (a fresh database per store), plus what only a shared database has: concurrent replicas.</summary>
public sealed class PostgresMetadataStoreTests : MetadataStoreConformance, IAsyncLifetime
{
    private readonly List<PostgresTestDatabase> _databases = [];
    private readonly List<PostgresMetadataStore> _stores = [];

    private static CancellationToken Ct => CancellationToken.None;

    protected override async Task<IMetadataStore> CreateStoreAsync()
    {
        var database = await NewDatabaseAsync();
        var store = Open(database);
        await store.MigrateAsync(Ct);
        return store;
    }

    [Fact]
    public async Task Replicas_migrating_together_apply_each_migration_once()
    {
        var database = await NewDatabaseAsync();
        var replicas = Enumerable.Range(0, 6).Select(_ => Open(database)).ToList();

        await Task.WhenAll(replicas.Select(r => r.MigrateAsync(Ct)));

        Assert.Equal(PostgresMigrations.All.Select(m => m.Version), await replicas[0].GetAppliedMigrationsAsync(Ct));
        Assert.Equal(PostgresMigrations.All.Count, await CountAsync(database, "SELECT count(*) FROM schema_migrations;"));
    }

    [Fact]
    public async Task Replicas_starting_together_on_an_empty_database_create_one_admin_token()
    {
        var database = await NewDatabaseAsync();
        var replicas = Enumerable.Range(0, 4).Select(_ => Open(database)).ToList();
        await replicas[0].MigrateAsync(Ct);
        var files = 0;

        var created = await Task.WhenAll(replicas.Select(r => r.InitializeOnceAsync(Token(), _ =>
        {
            Interlocked.Increment(ref files);
            return Task.CompletedTask;
        }, Ct)));

        Assert.Single(created, c => c);
        Assert.Equal(1, files);
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM tokens;"));
    }

    [Fact]
    public async Task Two_admins_revoked_at_once_leave_one()
    {
        var database = await NewDatabaseAsync();
        var a = Open(database);
        var b = Open(database);
        await a.MigrateAsync(Ct);
        var admin = new TokenGrant("*", Permission.Admin);
        var first = await a.CreateTokenAsync(Token(admin), Ct);
        var second = await a.CreateTokenAsync(Token(admin), Ct);

        var outcomes = await Task.WhenAll(a.RevokeTokenAsync(first.Id, T0, Ct), b.RevokeTokenAsync(second.Id, T0, Ct));

        Assert.Single(outcomes, o => o == TokenRevocation.RefusedLastAdmin);
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM tokens WHERE revoked_at IS NULL;"));
    }

    [Fact]
    public async Task A_commit_does_not_wait_for_an_open_commit_to_the_same_cache()
    {
        var database = await NewDatabaseAsync();
        var store = Open(database);
        await store.MigrateAsync(Ct);
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var first = Commit(cache.Id);
        await store.CommitNewAsync(first, Ct);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var open = await connection.BeginTransactionAsync();
        await using (var copy = new NpgsqlCommand(
            """
            INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, upstream_refs, deriver, signatures, ca, created_at, last_accessed_at, origin, nar_size)
            SELECT cache_id, $1, replace(store_path, hash_part, $1), nar_id, refs, upstream_refs, deriver, signatures, ca, created_at, last_accessed_at, origin, nar_size
            FROM paths WHERE hash_part = $2;
            """, connection, open))
        {
            copy.Parameters.Add(new NpgsqlParameter { Value = HashPart() });
            copy.Parameters.Add(new NpgsqlParameter { Value = first.HashPart });
            Assert.Equal(1, await copy.ExecuteNonQueryAsync());
        }

        // Before the cache's size was kept in change rows, this waited on the cache's stats row until the other commit ended.
        var second = await store.CommitNewAsync(Commit(cache.Id), Ct).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(CommitOutcome.Committed, second.Outcome);
        await open.CommitAsync();
        Assert.Equal(3, (await store.GetCacheStatsAsync(cache.Id, Ct)).PathCount);
    }

    [Fact]
    public async Task Migration_2_carries_version_1_data_over_with_holders_and_references()
    {
        var database = await NewDatabaseAsync();
        const string dependency = "0000000000000000000000000000000a";
        const string dependent = "0000000000000000000000000000000b";
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                PostgresMigrations.All[0].Sql + $$"""
                CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO schema_migrations (version) VALUES (1);
                INSERT INTO caches VALUES (1, 'c', true, 40, '/nix/store', 'k:x', '{}', now());
                INSERT INTO nars VALUES (1, 'sha256:used', 10, 'zstd', 'sha256:f1', 5, 'listings/used.ls', now());
                INSERT INTO nars VALUES (2, 'sha256:orphan', 10, 'zstd', 'sha256:f2', 5, 'listings/orphan.ls', now());
                INSERT INTO nar_chunks VALUES (1, 0, 'sha256:used', 'chunks/used.zst', 10, 'sha256:f1', 5, 'zstd');
                INSERT INTO nar_chunks VALUES (2, 0, 'sha256:orphan', 'chunks/orphan.zst', 10, 'sha256:f2', 5, 'zstd');
                INSERT INTO paths VALUES (1, '{{dependency}}', '/nix/store/{{dependency}}-dep', 1, '{}', NULL, '{}', NULL, now(), now());
                INSERT INTO paths VALUES (1, '{{dependent}}', '/nix/store/{{dependent}}-top', 1, ARRAY['{{dependency}}-dep', '{{dependent}}-top'], NULL, '{}', NULL, now(), now());
                INSERT INTO staged_nars VALUES (1, 1, 'nar/x.nar', 'sha256:u', 5, 'sha256:used', 10, 'sha256:f1', 5, 'listings/used.ls', now());
                INSERT INTO staged_chunks VALUES (1, 0, 'sha256:used', 'chunks/used.zst', 10, 'sha256:f1', 5, 'zstd');
                SELECT setval(pg_get_serial_sequence('staged_nars', 'id'), 1);
                """,
                connection);
            await command.ExecuteNonQueryAsync();
        }
        var store = Open(database);

        await store.MigrateAsync(Ct);

        await MetadataStoreConformance.AssertVersion1DataCarriedOverAsync(store, 1, dependency, dependent);
    }

    [Fact]
    public async Task Schema_version_is_empty_before_the_first_migration()
    {
        var store = Open(await NewDatabaseAsync());

        Assert.Empty(await store.GetAppliedMigrationsAsync(Ct));
    }

    [Fact]
    public async Task Identical_commits_racing_from_two_replicas_all_succeed_and_store_once()
    {
        var database = await NewDatabaseAsync();
        var a = Open(database);
        var b = Open(database);
        await a.MigrateAsync(Ct);
        var cache = await a.CreateCacheAsync(Cache(), Ct);
        var request = Commit(cache.Id);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? a : b).CommitNewAsync(request, Ct)));

        Assert.Single(results, r => r.Outcome == CommitOutcome.Committed);
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { CommitOutcome.Committed, CommitOutcome.AlreadyPresent }));
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM paths;"));
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM nars;"));
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM nar_chunks;"));
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM events;"));
        Assert.NotNull(await b.GetPathAsync(cache.Id, request.HashPart, Ct));
    }

    [Fact]
    public async Task The_same_nar_pushed_to_many_caches_at_once_is_stored_once()
    {
        var database = await NewDatabaseAsync();
        var a = Open(database);
        var b = Open(database);
        await a.MigrateAsync(Ct);
        var caches = new List<CacheRecord>();
        for (var i = 0; i < 8; i++)
        {
            caches.Add(await a.CreateCacheAsync(Cache(), Ct));
        }
        var nar = Nar();
        var hashPart = HashPart();

        var results = await Task.WhenAll(caches.Select((c, i) => (i % 2 == 0 ? a : b).CommitNewAsync(Commit(c.Id, hashPart, nar), Ct)));

        Assert.All(results, r => Assert.Equal(CommitOutcome.Committed, r.Outcome));
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM nars;"));
        Assert.Equal(8L, await CountAsync(database, "SELECT count(*) FROM paths;"));
    }

    [Fact]
    public async Task Concurrent_releases_of_one_staged_upload_release_its_chunks_once()
    {
        var database = await NewDatabaseAsync();
        var a = Open(database);
        var b = Open(database);
        await a.MigrateAsync(Ct);
        var cache = await a.CreateCacheAsync(Cache(), Ct);
        var committed = Commit(cache.Id);
        await a.CommitNewAsync(committed, Ct);
        var staged = await a.StageNewAsync(Staged(cache.Id, "nar/s.nar", committed.Nar), Ct);

        // Hold the shared chunk's row so both releases are under way (past their snapshots) before either can finish.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var hold = new NpgsqlCommand("SELECT id FROM chunks WHERE hash = $1 FOR UPDATE;", connection, transaction);
            hold.Parameters.Add(new NpgsqlParameter { Value = committed.Nar.Chunks[0].Hash });
            await hold.ExecuteScalarAsync();
            var releases = Task.WhenAll(a.DeleteStagedNarAsync(staged.Id, Ct), b.DeleteStagedNarAsync(staged.Id, Ct));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await transaction.CommitAsync();
            await releases;
        }

        var far = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(0, await a.ReapChunksAsync(far, far, 10, Ct));
        Assert.Null(await a.GetStagedNarAsync(cache.Id, "nar/s.nar", Ct));
    }

    [Fact]
    public async Task Deleting_a_cache_releases_the_nar_of_a_path_committed_while_it_ran()
    {
        var database = await NewDatabaseAsync();
        var store = Open(database);
        await store.MigrateAsync(Ct);
        var doomed = await store.CreateCacheAsync(Cache(), Ct);
        var other = await store.CreateCacheAsync(Cache(), Ct);
        await store.CommitNewAsync(Commit(doomed.Id), Ct);
        var released = Commit(other.Id);
        await store.CommitNewAsync(released, Ct);
        await store.DeletePathsAsync(other.Id, [released.HashPart], "test", null, T0, Ct);

        // A commit in flight: it takes the released NAR for a new path, committing only once the deletion is under way.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var late = new NpgsqlCommand(
                $"""
                UPDATE nars SET holders = holders + 1, released_at = NULL WHERE nar_hash = '{released.Nar.NarHash}';
                INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, signatures, created_at, last_accessed_at)
                SELECT {doomed.Id}, 'late', '/nix/store/late', id, ARRAY[]::text[], ARRAY[]::text[], now(), now() FROM nars WHERE nar_hash = '{released.Nar.NarHash}';
                """,
                connection,
                transaction);
            await late.ExecuteNonQueryAsync();
            var deletion = store.DeleteCacheAsync(doomed.Id, Ct);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await transaction.CommitAsync();
            Assert.True(await deletion);
        }

        var far = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(2, await store.ReapNarsAsync(far, far, 10, Ct));
    }

    [Fact]
    public async Task A_path_committed_through_one_replica_is_visible_through_the_other_at_once()
    {
        var database = await NewDatabaseAsync();
        var a = Open(database);
        var b = Open(database);
        await a.MigrateAsync(Ct);
        var cache = await a.CreateCacheAsync(Cache(), Ct);
        var request = Commit(cache.Id);
        Assert.Equal([request.HashPart], await b.FindMissingAsync(cache.Id, [request.HashPart], Ct));
        Assert.Null(await b.GetPathAsync(cache.Id, request.HashPart, Ct));

        await a.CommitNewAsync(request, Ct);

        Assert.Empty(await b.FindMissingAsync(cache.Id, [request.HashPart], Ct));
        Assert.NotNull(await b.GetPathAsync(cache.Id, request.HashPart, Ct));
    }

    [Fact]
    public async Task Missing_paths_of_a_large_query_come_back_in_input_order()
    {
        var store = await CreateStoreAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var present = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            var request = Commit(cache.Id);
            await store.CommitNewAsync(request, Ct);
            present.Add(request.HashPart);
        }
        var query = present.Concat(Enumerable.Range(0, 5000).Select(_ => HashPart())).OrderBy(_ => Random.Shared.Next()).ToList();

        var missing = await store.FindMissingAsync(cache.Id, query, Ct);

        Assert.Equal(query.Where(h => !present.Contains(h)), missing);
    }

    [Fact]
    public async Task Unreachable_server_is_reported_as_unavailable()
    {
        await using var store = new PostgresMetadataStore($"Host=127.0.0.1;Port={Larder.Testing.FreePort.Next()};Username=postgres;Timeout=3");

        var e = await Assert.ThrowsAsync<MetadataUnavailableException>(() => store.GetCacheAsync("x", Ct));

        Assert.Contains("PostgreSQL is unavailable", e.Message);
    }

    [Theory]
    [InlineData("Host=h;NoSuchKeyword=1")]
    [InlineData("   ")]
    public void Invalid_connection_string_is_rejected_with_the_reason(string connectionString)
    {
        Assert.ThrowsAny<ArgumentException>(() => new PostgresMetadataStore(connectionString));
    }

    [Fact]
    public async Task Restart_fails_in_flight_requests_as_unavailable_and_later_requests_succeed()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await using var store = new PostgresMetadataStore(pg.ConnectionString);
        await store.MigrateAsync(Ct);
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var request = Commit(cache.Id);
        await store.CommitNewAsync(request, Ct);
        // Warm the pool with several connections, all of which the restart will kill.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.GetPathAsync(cache.Id, request.HashPart, Ct)));

        // A request in flight: blocked behind a lock when the server goes down.
        var blocker = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false");
        await blocker.OpenAsync();
        await using (var lockTx = await blocker.BeginTransactionAsync())
        {
            await using (var lockCommand = new NpgsqlCommand("LOCK TABLE paths IN ACCESS EXCLUSIVE MODE;", blocker, lockTx))
            {
                await lockCommand.ExecuteNonQueryAsync();
            }
            var inFlight = store.GetPathAsync(cache.Id, request.HashPart, Ct);
            await pg.WaitForLockWaiterAsync();
            // Immediate: with a fast shutdown the lock holder may die first and the waiter finish its query.
            await pg.StopAsync("immediate");

            await Assert.ThrowsAsync<MetadataUnavailableException>(() => inFlight);
        }
        await blocker.DisposeAsync();
        await Assert.ThrowsAsync<MetadataUnavailableException>(() => store.GetCacheAsync(cache.Name, Ct));

        await pg.StartServerAsync();

        // Same store object, no restart of Larder: every request succeeds again.
        for (var i = 0; i < 10; i++)
        {
            Assert.NotNull(await store.GetPathAsync(cache.Id, request.HashPart, Ct));
        }
        Assert.Equal(CommitOutcome.Committed, (await store.CommitNewAsync(Commit(cache.Id), Ct)).Outcome);
    }

    [Fact]
    public async Task More_requests_than_pooled_connections_wait_for_one_past_the_connection_timeout_instead_of_failing()
    {
        var database = await NewDatabaseAsync();
        // Two connections, and Npgsql's own wait for one bounded at 1 s.
        var store = new PostgresMetadataStore(database.ConnectionString + ";Maximum Pool Size=2;Timeout=1");
        _stores.Add(store);
        await store.MigrateAsync(Ct);
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var request = Commit(cache.Id);
        await store.CommitNewAsync(request, Ct);

        await using var blocker = new NpgsqlConnection(database.ConnectionString + ";Pooling=false");
        await blocker.OpenAsync();
        Task<PathWithNar?>[] requests;
        await using (var lockTx = await blocker.BeginTransactionAsync())
        {
            await using (var lockCommand = new NpgsqlCommand("LOCK TABLE paths IN ACCESS EXCLUSIVE MODE;", blocker, lockTx))
            {
                await lockCommand.ExecuteNonQueryAsync();
            }
            // The first requests hold every connection, waiting for the lock; the others wait for a connection.
            requests = [.. Enumerable.Range(0, 8).Select(_ => store.GetPathAsync(cache.Id, request.HashPart, Ct))];
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        Assert.All(await Task.WhenAll(requests), Assert.NotNull);
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
    }

    private async Task<PostgresTestDatabase> NewDatabaseAsync()
    {
        var database = await PostgresTestDatabase.CreateAsync();
        _databases.Add(database);
        return database;
    }

    private PostgresMetadataStore Open(PostgresTestDatabase database)
    {
        var store = new PostgresMetadataStore(database.ConnectionString);
        _stores.Add(store);
        return store;
    }

    private static async Task<long> CountAsync(PostgresTestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
