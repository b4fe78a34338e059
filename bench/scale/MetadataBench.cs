using System.Diagnostics;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Postgres;
using Larder.Server.Metadata.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Larder.Bench.Scale;

/// <summary>
/// The metadata store at scale: bulk-loads N paths (each with its NAR and one chunk) straight into the schema the
/// store created (PostgreSQL: binary COPY; SQLite: one transaction of prepared inserts per 100k rows), then times
/// <see cref="IMetadataStore.GetPathAsync"/> (narinfo lookups) and a 30,000-hash <see cref="IMetadataStore.FindMissingAsync"/>
/// through the real store code.
/// </summary>
internal static class MetadataBench
{
    private const int Lookups = 20_000;
    private const int Warmup = 2_000;
    private const int MissingQuery = 30_000;
    private const int MissingRuns = 5;
    private static readonly DateTime At = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);

    public static async Task<int> RunAsync(string kind, string target, int paths)
    {
        var ct = CancellationToken.None;
        string? dropDatabase = null;
        IMetadataStore store;
        if (kind == "postgres")
        {
            var name = $"larder_bench_{Guid.NewGuid():N}";
            await ExecuteAdminAsync(target, $"CREATE DATABASE {name};");
            dropDatabase = name;
            target = new NpgsqlConnectionStringBuilder(target) { Database = name }.ToString();
            store = new PostgresMetadataStore(target);
        }
        else
        {
            File.Delete(target);
            store = SqliteMetadataStore.ForFile(target);
        }
        try
        {
            await store.MigrateAsync(ct);
            var cache = await store.CreateCacheAsync(new CacheRecord(0, "bench", true, 40, "/nix/store", "k-1:c2VjcmV0", [], At), ct);
            var load = Stopwatch.StartNew();
            if (kind == "postgres")
            {
                await LoadPostgresAsync(target, cache.Id, paths);
            }
            else
            {
                LoadSqlite(target, cache.Id, paths);
            }
            load.Stop();
            _ = await store.GetPathAsync(cache.Id, Synthetic.HashPart(paths - 1), ct)
                ?? throw new InvalidOperationException("the bulk-loaded paths are not visible through the store");

            var random = new Random(42);
            for (var i = 0; i < Warmup; i++)
            {
                await store.GetPathAsync(cache.Id, Synthetic.HashPart(random.Next(paths)), ct);
            }
            var times = new double[Lookups];
            for (var i = 0; i < Lookups; i++)
            {
                var hashPart = Synthetic.HashPart(random.Next(paths));
                var start = Stopwatch.GetTimestamp();
                var found = await store.GetPathAsync(cache.Id, hashPart, ct);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (found is null)
                {
                    throw new InvalidOperationException($"path {hashPart} not found");
                }
            }
            Array.Sort(times);

            var query = Enumerable.Range(0, MissingQuery)
                .Select(j => j % 2 == 0 ? Synthetic.HashPart(random.Next(paths)) : Synthetic.HashPart(j, "absent"))
                .ToList();
            var missingTimes = new List<double>();
            for (var run = 0; run <= MissingRuns; run++)
            {
                var start = Stopwatch.GetTimestamp();
                var missing = await store.FindMissingAsync(cache.Id, query, ct);
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (missing.Count != MissingQuery / 2)
                {
                    throw new InvalidOperationException($"expected {MissingQuery / 2} missing, got {missing.Count}");
                }
                if (run > 0)
                {
                    missingTimes.Add(elapsed);
                }
            }
            missingTimes.Sort();
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"RESULT {kind} paths={paths} load_s={load.Elapsed.TotalSeconds:F1} lookup_p50_ms={Percentile(times, 0.50):F3} lookup_p99_ms={Percentile(times, 0.99):F3} lookup_max_ms={times[^1]:F2} missing30k_median_ms={missingTimes[missingTimes.Count / 2]:F1} missing30k_max_ms={missingTimes[^1]:F1}"));
            return 0;
        }
        finally
        {
            if (store is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (store is IDisposable disposable)
            {
                disposable.Dispose();
            }
            if (dropDatabase is not null && Environment.GetEnvironmentVariable("LARDER_BENCH_KEEP_DB") == "1")
            {
                Console.WriteLine($"kept database {dropDatabase}");
            }
            else if (dropDatabase is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAdminAsync(new NpgsqlConnectionStringBuilder(target) { Database = "postgres" }.ToString(), $"DROP DATABASE {dropDatabase} WITH (FORCE);");
            }
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task ExecuteAdminAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task LoadPostgresAsync(string connectionString, long cacheId, int paths)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var nars = await connection.BeginBinaryImportAsync(
            "COPY nars (id, nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at, holders) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < paths; i++)
            {
                await nars.StartRowAsync();
                await nars.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                await nars.WriteAsync(Synthetic.Sha256(i, "nar"), NpgsqlDbType.Text);
                await nars.WriteAsync(100_000L + i, NpgsqlDbType.Bigint);
                await nars.WriteAsync("zstd", NpgsqlDbType.Text);
                await nars.WriteAsync(Synthetic.Sha256(i, "file"), NpgsqlDbType.Text);
                await nars.WriteAsync(40_000L + i, NpgsqlDbType.Bigint);
                await nars.WriteNullAsync();
                await nars.WriteAsync(At, NpgsqlDbType.TimestampTz);
                await nars.WriteAsync(1, NpgsqlDbType.Integer);
            }
            await nars.CompleteAsync();
        }
        await using (var chunks = await connection.BeginBinaryImportAsync(
            "COPY chunks (id, hash, storage_key, size, stored_hash, stored_size, compression, holders, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < paths; i++)
            {
                var narHash = Synthetic.Sha256(i, "nar");
                await chunks.StartRowAsync();
                await chunks.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                await chunks.WriteAsync(narHash, NpgsqlDbType.Text);
                await chunks.WriteAsync($"chunks/{narHash[7..]}.zst", NpgsqlDbType.Text);
                await chunks.WriteAsync(100_000L + i, NpgsqlDbType.Bigint);
                await chunks.WriteAsync(Synthetic.Sha256(i, "file"), NpgsqlDbType.Text);
                await chunks.WriteAsync(40_000L + i, NpgsqlDbType.Bigint);
                await chunks.WriteAsync("zstd", NpgsqlDbType.Text);
                await chunks.WriteAsync(1, NpgsqlDbType.Integer);
                await chunks.WriteAsync(At, NpgsqlDbType.TimestampTz);
            }
            await chunks.CompleteAsync();
        }
        await using (var narChunks = await connection.BeginBinaryImportAsync("COPY nar_chunks (nar_id, seq, chunk_id) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < paths; i++)
            {
                await narChunks.StartRowAsync();
                await narChunks.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                await narChunks.WriteAsync(0, NpgsqlDbType.Integer);
                await narChunks.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
            }
            await narChunks.CompleteAsync();
        }
        await using (var rows = await connection.BeginBinaryImportAsync(
            "COPY paths (cache_id, hash_part, store_path, nar_id, refs, deriver, signatures, ca, created_at, last_accessed_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < paths; i++)
            {
                var hashPart = Synthetic.HashPart(i);
                await rows.StartRowAsync();
                await rows.WriteAsync(cacheId, NpgsqlDbType.Bigint);
                await rows.WriteAsync(hashPart, NpgsqlDbType.Text);
                await rows.WriteAsync($"/nix/store/{hashPart}-bench-{i}", NpgsqlDbType.Text);
                await rows.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                await rows.WriteAsync(i > 0 ? new[] { $"{Synthetic.HashPart(i - 1)}-bench-{i - 1}" } : [], NpgsqlDbType.Array | NpgsqlDbType.Text);
                await rows.WriteAsync($"{Synthetic.HashPart(i, "drv")}-bench-{i}.drv", NpgsqlDbType.Text);
                await rows.WriteAsync(new[] { "k-1:c2ln" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await rows.WriteNullAsync();
                await rows.WriteAsync(At, NpgsqlDbType.TimestampTz);
                await rows.WriteAsync(At, NpgsqlDbType.TimestampTz);
            }
            await rows.CompleteAsync();
        }
        await using (var sequence = new NpgsqlCommand(
            "SELECT setval(pg_get_serial_sequence('nars', 'id'), (SELECT max(id) FROM nars)), setval(pg_get_serial_sequence('chunks', 'id'), (SELECT max(id) FROM chunks));",
            connection))
        {
            await sequence.ExecuteNonQueryAsync();
        }
        // What autovacuum does to a table loaded long ago: statistics, and a visibility map that lets the missing-path
        // query answer from the index alone.
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE;", connection) { CommandTimeout = 600 };
        await vacuum.ExecuteNonQueryAsync();
    }

    private static void LoadSqlite(string file, long cacheId, int paths)
    {
        using var connection = new SqliteConnection($"Data Source={file}");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = OFF;";
            pragma.ExecuteNonQuery();
        }
        var at = new DateTimeOffset(At).ToUnixTimeMilliseconds();
        const int Batch = 100_000;
        for (var start = 0; start < paths; start += Batch)
        {
            using var transaction = connection.BeginTransaction();
            using var nar = Prepare(connection, transaction,
                "INSERT INTO nars (id, nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at, holders) VALUES ($p0, $p1, $p2, 'zstd', $p3, $p4, NULL, $p5, 1);", 6);
            using var chunk = Prepare(connection, transaction,
                "INSERT INTO chunks (id, hash, storage_key, size, stored_hash, stored_size, compression, holders, created_at) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, 'zstd', 1, $p6);", 7);
            using var narChunk = Prepare(connection, transaction, "INSERT INTO nar_chunks (nar_id, seq, chunk_id) VALUES ($p0, 0, $p0);", 1);
            using var path = Prepare(connection, transaction,
                "INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, deriver, signatures, ca, created_at, last_accessed_at) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, 'k-1:c2ln', NULL, $p6, $p6);", 7);
            for (var i = start; i < Math.Min(paths, start + Batch); i++)
            {
                var narHash = Synthetic.Sha256(i, "nar");
                var fileHash = Synthetic.Sha256(i, "file");
                var hashPart = Synthetic.HashPart(i);
                Run(nar, (long)i + 1, narHash, 100_000L + i, fileHash, 40_000L + i, at);
                Run(chunk, (long)i + 1, narHash, $"chunks/{narHash[7..]}.zst", 100_000L + i, fileHash, 40_000L + i, at);
                Run(narChunk, (long)i + 1);
                Run(path, cacheId, hashPart, $"/nix/store/{hashPart}-bench-{i}", (long)i + 1,
                    i > 0 ? $"{Synthetic.HashPart(i - 1)}-bench-{i - 1}" : "", $"{Synthetic.HashPart(i, "drv")}-bench-{i}.drv", at);
            }
            transaction.Commit();
        }
        using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE;";
        analyze.ExecuteNonQuery();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter($"$p{i}", null));
        }
        command.Prepare();
        return command;
    }

    private static void Run(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
        command.ExecuteNonQuery();
    }
}
