using System.Diagnostics;
using System.Globalization;
using Larder.Bench.Gc;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Configuration;
using Larder.Server.Maintenance.Gc;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Postgres;
using Larder.Server.Metadata.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

// larder-bench-gc sqlite FILE | postgres CONNECTION  PATHS CHAIN READERS SECONDS
// Loads the fixture, measures narinfo lookups (the store's GetPathAsync, as the narinfo endpoint does) with READERS
// concurrent readers for SECONDS without GC (baseline), then again while a GC evicts 10% under a size limit.
var kind = args[0];
var target = args[1];
var paths = int.Parse(args[2], CultureInfo.InvariantCulture);
var chain = int.Parse(args[3], CultureInfo.InvariantCulture);
var readers = int.Parse(args[4], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[5], CultureInfo.InvariantCulture);
var postgres = kind == "postgres";
var ct = CancellationToken.None;
string? dropDatabase = null;
IMetadataStore store;
string connectionString;
if (postgres)
{
    dropDatabase = $"larder_bench_gc_{Environment.ProcessId}";
    await AdminAsync(target, $"CREATE DATABASE {dropDatabase};");
    connectionString = new NpgsqlConnectionStringBuilder(target) { Database = dropDatabase }.ToString();
    store = new PostgresMetadataStore(connectionString);
}
else
{
    File.Delete(target);
    connectionString = $"Data Source={target}";
    store = SqliteMetadataStore.ForFile(target);
}
try
{
    await store.MigrateAsync(ct);
    var cache = await store.CreateCacheAsync(
        new CacheRecord(0, "bench", true, 40, "/nix/store", "k-1:c2VjcmV0", [], DateTimeOffset.UnixEpoch), ct);
    var load = Stopwatch.StartNew();
    await using (var connection = Fixture.Open(postgres, connectionString))
    {
        await connection.OpenAsync();
        await Fixture.LoadAsync(connection, postgres, cache.Id, paths, chain);
    }
    Console.WriteLine($"loaded {paths} paths in {load.Elapsed.TotalSeconds:0.0} s");

    var baseline = await MeasureAsync(store, cache.Id, paths, readers, () => Task.Delay(TimeSpan.FromSeconds(seconds)));
    Console.WriteLine($"RESULT phase=baseline p50_ms={baseline.P50:0.000} p99_ms={baseline.P99:0.000} lookups={baseline.Count}");

    var evictTarget = paths / 10 * Fixture.StoredBytesPerPath;
    await store.SetRetentionAsync(cache.Id, new RetentionSettings(null, paths * Fixture.StoredBytesPerPath - evictTarget), ct);
    var changes = new ServingChanges(new NarInfoMemory(TimeProvider.System), store, NullLogger<ServingChanges>.Instance);
    var collector = new GarbageCollector(
        store, changes, Options.Create(new LarderOptions()), TimeProvider.System, NullLogger<GarbageCollector>.Instance);
    GcRunResult? result = null;
    var gcTime = Stopwatch.StartNew();
    var during = await MeasureAsync(store, cache.Id, paths, readers, async () =>
    {
        result = await collector.RunCacheAsync(cache, dryRun: false, ct) ?? throw new InvalidOperationException("the GC lease was taken");
        gcTime.Stop();
    });
    var loadAverage = File.ReadAllText("/proc/loadavg").Split(' ')[0];
    Console.WriteLine(
        $"RESULT phase=gc p50_ms={during.P50:0.000} p99_ms={during.P99:0.000} lookups={during.Count} gc_s={gcTime.Elapsed.TotalSeconds:0.0} " +
        $"evicted={result!.PathsEvicted} freed={result.BytesFreed} target={evictTarget} load={loadAverage}");
    return 0;
}
finally
{
    (store as IDisposable)?.Dispose();
    if (dropDatabase is not null)
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync(target, $"DROP DATABASE {dropDatabase} WITH (FORCE);");
    }
}

static async Task<(double P50, double P99, int Count)> MeasureAsync(IMetadataStore store, long cacheId, int paths, int readers, Func<Task> during)
{
    using var stop = new CancellationTokenSource();
    var samples = new List<double>[readers];
    var tasks = Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
    {
        var random = new Random(r);
        var mine = samples[r] = [];
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            // Paths the GC keeps and paths it evicts alike: a miss costs a lookup too.
            await store.GetPathAsync(cacheId, Fixture.HashPart(random.Next(paths)), CancellationToken.None);
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    })).ToList();
    await during();
    await stop.CancelAsync();
    await Task.WhenAll(tasks);
    var all = samples.SelectMany(s => s).Order().ToArray();
    return (Percentile(all, 0.50), Percentile(all, 0.99), all.Length);
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static async Task AdminAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}
