using Larder.Server.Metadata;
using Larder.Server.Metadata.Postgres;
using Npgsql;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// Transactions that change several chunk or NAR rows take them in one order (chunks by hash, NARs by id), so on
/// PostgreSQL concurrent pushes, deletions and reaping of NARs that share chunks never deadlock. The store retries a
/// deadlocked transaction, which hides it from callers; PostgreSQL counts them in <c>pg_stat_database.deadlocks</c>.
/// </summary>
public sealed class ChunkLockOrderTests
{
    private const int Workers = 12;
    private const int RoundsPerWorker = 25;
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Concurrent_pushes_deletes_and_reaping_of_nars_sharing_chunks_never_deadlock_and_keep_holders_exact()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var store = new PostgresMetadataStore(database.ConnectionString);
        await store.MigrateAsync(Ct);
        CacheRecord[] caches = [await store.CreateCacheAsync(Cache(), Ct), await store.CreateCacheAsync(Cache(), Ct)];
        // Every NAR holds 10 of these 16 chunks, in its own order: any two NARs share most of their chunks. Half the
        // pushes are of one of three popular paths, pushed by several workers at once as overlapping closures are.
        var shared = Nar(chunks: 16).Chunks;
        var popular = Enumerable.Range(0, 3).Select(_ => (HashPart: HashPart(), Nar: Nar() with { Chunks = [.. shared.Take(10)] })).ToArray();

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var round = 0; round < RoundsPerWorker; round++)
            {
                await (worker % 4 == 3 ? ReapAsync(store) : PushAndDeleteAsync(store, caches[random.Next(caches.Length)], shared, popular, random));
            }
        })));
        await store.DisposeAsync();

        Assert.Equal(0, await DeadlocksAsync(database));
        Assert.Empty(await WrongHolderCountsAsync(database));
    }

    /// <summary>
    /// Stages a NAR of shared chunks (a new path's, or a popular one's), commits it (the staged upload's chunks released),
    /// and deletes the path half the time.
    /// </summary>
    private static async Task PushAndDeleteAsync(
        PostgresMetadataStore store, CacheRecord cache, IReadOnlyList<ChunkRecord> shared, (string HashPart, NarRecord Nar)[] popular, Random random)
    {
        var (hashPart, nar) = random.Next(2) == 0
            ? popular[random.Next(popular.Length)]
            : (HashPart(), Nar() with { Chunks = [.. shared.OrderBy(_ => random.Next()).Take(10)] });
        // Each push writes its blobs under fresh keys, as an ingest does (a chunk or NAR row that exists keeps its own).
        nar = nar with
        {
            Chunks = [.. nar.Chunks.Select(c => c with { StorageKey = $"chunks/{Guid.NewGuid():N}.zst" })],
            ListingKey = $"listings/{Guid.NewGuid():N}.ls",
        };
        var now = DateTimeOffset.UtcNow;
        try
        {
            var staged = await store.StageNewAsync(Staged(cache.Id, $"nar/{nar.FileHash[7..]}.nar", nar, now), Ct);
            var commit = Commit(cache.Id, hashPart, nar, stagedId: staged.Id, at: now);
            Assert.Contains((await store.CommitNewAsync(commit, Ct)).Outcome, new[] { CommitOutcome.Committed, CommitOutcome.AlreadyPresent });
            if (random.Next(2) == 0)
            {
                await store.DeletePathsAsync(cache.Id, [commit.HashPart], "test", null, DateTimeOffset.UtcNow, Ct);
            }
        }
        catch (UnknownChunksException)
        {
            // The reaper deleted a chunk between its announcement and its use: a real push writes it again.
        }
        await store.FindChunksAsync([.. shared.Select(chunk => chunk.Hash)], DateTimeOffset.UtcNow, Ct);
    }

    /// <summary>A reaper pass with no grace: expires every staged upload and removes every released NAR and chunk.</summary>
    private static async Task ReapAsync(PostgresMetadataStore store)
    {
        var now = DateTimeOffset.UtcNow;
        await store.ExpireStagedNarsAsync(now.AddSeconds(-1), 500, Ct);
        await store.ReapNarsAsync(now, now, 500, Ct);
        await store.ReapChunksAsync(now, now, 500, Ct);
    }

    /// <summary>
    /// PostgreSQL's count of deadlocks in the database, read once the store's connections have ended (a backend reports
    /// its statistics when it exits at the latest).
    /// </summary>
    private static async Task<long> DeadlocksAsync(PostgresTestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        for (var wait = 0; wait < 100 && await ScalarAsync(connection, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid();") > 0; wait++)
        {
            await Task.Delay(100);
        }
        await ScalarAsync(connection, "SELECT count(*) FROM (SELECT pg_stat_clear_snapshot()) s;");
        return await ScalarAsync(connection, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database();");
    }

    /// <summary>Chunks whose holder count differs from the rows that hold them.</summary>
    private static async Task<List<string>> WrongHolderCountsAsync(PostgresTestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT c.hash || ': holders ' || c.holders || ', held by ' || (
                (SELECT count(*) FROM nar_chunks x WHERE x.chunk_id = c.id) + (SELECT count(*) FROM staged_chunks x WHERE x.chunk_id = c.id)
                + (SELECT count(*) FROM artifact_chunks x WHERE x.chunk_id = c.id))
            FROM chunks c
            WHERE c.holders <> (SELECT count(*) FROM nar_chunks x WHERE x.chunk_id = c.id) + (SELECT count(*) FROM staged_chunks x WHERE x.chunk_id = c.id)
                + (SELECT count(*) FROM artifact_chunks x WHERE x.chunk_id = c.id);
            """,
            connection);
        var wrong = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            wrong.Add(reader.GetString(0));
        }
        return wrong;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
