using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Larder.Bench.Gc;

/// <summary>
/// Bulk-loads a cache of <c>paths</c> paths straight in SQL: chains of <c>chain</c> paths (each referencing the one before),
/// one NAR of 1000 stored bytes each, pushed long ago and last accessed one second apart in path order, so a chain's
/// bottom is its least recently used path and size eviction must defer it to its top.
/// </summary>
internal static class Fixture
{
    public const long StoredBytesPerPath = 1000;

    public static string HashPart(long i) => i.ToString("D32", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task LoadAsync(DbConnection connection, bool postgres, long cacheId, int paths, int chain)
    {
        var series = postgres
            ? $"SELECT i FROM generate_series(0, {paths - 1}) AS i"
            : $"WITH RECURSIVE s (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {paths - 1}) SELECT i FROM s";
        var hash = postgres ? "lpad(i::text, 32, '0')" : "printf('%032d', i)";
        var previous = postgres ? "lpad((i - 1)::text, 32, '0')" : "printf('%032d', i - 1)";
        var epoch = postgres ? "to_timestamp(1700000000)" : "1700000000000";
        var accessed = postgres ? "to_timestamp(1700000000 + i)" : "(1700000000 + i) * 1000";
        var refs = postgres ? $"CASE WHEN i % {chain} = 0 THEN ARRAY[]::text[] ELSE ARRAY[{previous} || '-p'] END" : $"CASE WHEN i % {chain} = 0 THEN '' ELSE {previous} || '-p' END";
        var signatures = postgres ? "ARRAY['k-1:c2ln']" : "'k-1:c2ln'";
        var upstream = postgres ? "ARRAY[]::text[]" : "''";
        string[] statements =
        [
            $"INSERT INTO nars (id, nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at, holders) " +
            $"SELECT i + 1, 'sha256:n' || {hash}, 4000, 'zstd', 'sha256:f' || {hash}, {StoredBytesPerPath}, NULL, {epoch}, 1 FROM ({series}) q",
            $"INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, upstream_refs, deriver, signatures, ca, created_at, last_accessed_at) " +
            $"SELECT {cacheId}, {hash}, '/nix/store/' || {hash} || '-p', i + 1, {refs}, {upstream}, NULL, {signatures}, NULL, {epoch}, {accessed} FROM ({series}) q",
            $"INSERT INTO path_refs (cache_id, ref_hash_part, hash_part) SELECT {cacheId}, {previous}, {hash} FROM ({series}) q WHERE i % {chain} <> 0",
            postgres ? "ANALYZE" : "ANALYZE",
        ];
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync();
        }
    }

    public static DbConnection Open(bool postgres, string connectionString) =>
        postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
}
