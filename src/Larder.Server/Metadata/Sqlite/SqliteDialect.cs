using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Larder.Server.Metadata.Relational;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

/// <summary>
/// SQLite for <see cref="RelationalMetadataStore"/>: an embedded database in WAL mode. Writers are serialized in
/// process by an async lock per database file, taken before <c>BEGIN IMMEDIATE</c>, so no thread waits on SQLite's
/// busy timeout for a writer of this process (other processes still meet the busy timeout); with one writer at a
/// time, checks and inserts cannot interleave and no row locks are needed. Every commit is synced to disk
/// (<c>synchronous = FULL</c>); concurrent writes share a transaction and its sync (<see cref="GroupsCommits"/>).
/// Reads reuse open connections with prepared statements.
/// Times are Unix milliseconds (UTC); lists are space-separated, as in a narinfo.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    /// <summary>One write lock per database file, shared by every store of this process on it.</summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteLocks = new(StringComparer.Ordinal);

    private readonly SqliteSessionPool _pool;
    private readonly SemaphoreSlim _writeLock;

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            // We keep our own open sessions; the driver's pool would only add a second layer.
            Pooling = false,
            ForeignKeys = true,
        };
        if (builder.DefaultTimeout < 30)
        {
            builder.DefaultTimeout = 30;
        }
        var fullConnectionString = builder.ToString();
        _writeLock = builder.DataSource is "" or ":memory:"
            ? new SemaphoreSlim(1, 1)
            : WriteLocks.GetOrAdd(Path.GetFullPath(builder.DataSource), _ => new SemaphoreSlim(1, 1));
        _pool = new SqliteSessionPool(() => Open(fullConnectionString), maxIdle: Math.Max(8, Environment.ProcessorCount * 4));
    }

    public override IReadOnlyList<(int Version, string Sql)> Migrations => SqliteMigrations.All;

    public override string CreateMigrationsTableSql =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);";

    public override string MigrationsTableExistsSql =>
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';";

    public override string BeforeMigrationSql => "PRAGMA journal_mode = WAL;";

    public override string ForShare => "";

    public override bool ReadsGroupsRecursively => false;

    public override string ForUpdateOf(string alias) => "";

    public override string ForNoKeyUpdateOf(string alias) => "";

    /// <summary>SQLite compares text byte-wise (BINARY) unless told otherwise.</summary>
    public override string OrdinalCollation => "";

    public override string Greatest => "MAX";

    /// <inheritdoc />
    public override string PathNameSql(string alias) => $"substr({alias}.store_path, instr({alias}.store_path, {alias}.hash_part) + 33)";

    public override string TextSetSource(int parameter, string alias) =>
        string.Create(CultureInfo.InvariantCulture, $"(SELECT value AS h, key AS i FROM json_each(${parameter})) AS {alias}");

    public override string MissingPathsSql =>
        // SQLite probes the primary key once per hash without a round trip through the command layer for each.
        """
        SELECT t.h FROM (SELECT value AS h, key AS i FROM json_each($2)) AS t
        WHERE NOT EXISTS (SELECT 1 FROM paths p WHERE p.cache_id = $1 AND p.hash_part = t.h)
        ORDER BY t.i;
        """;

    /// <inheritdoc />
    /// <remarks>Two statements: nothing writes between them, writers take turns.</remarks>
    public override string FoldCacheStatsSql =>
        """
        UPDATE cache_stats SET path_count = path_count + d.n, nar_bytes = nar_bytes + d.nar, stored_bytes = stored_bytes + d.stored
        FROM (SELECT cache_id, SUM(path_count) AS n, SUM(nar_bytes) AS nar, SUM(stored_bytes) AS stored FROM cache_stat_deltas GROUP BY cache_id) AS d
        WHERE cache_stats.cache_id = d.cache_id;
        DELETE FROM cache_stat_deltas;
        """;

    public override bool PreparesCommands => true;

    public override bool RetriesWhenUnavailable => false;

    /// <inheritdoc />
    /// <remarks>Writers take turns on the write lock, and with <c>synchronous = FULL</c> each commit syncs the WAL.</remarks>
    public override bool GroupsCommits => true;

    public override ValueTask<DbSession> OpenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_pool.Rent());

    public override void Return(DbSession session) => _pool.Return(session);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ((SqliteConnection)connection).BeginTransaction(deferred: false);
        }
        catch
        {
            _writeLock.Release();
            throw;
        }
    }

    public override void EndWrite() => _writeLock.Release();

    public override DbParameter CreateParameter(int index) =>
        new SqliteParameter(string.Create(CultureInfo.InvariantCulture, $"${index + 1}"), null);

    public override object ToDb(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset at => at.ToUnixTimeMilliseconds(),
        string text => text,
        TextSet set => JsonSerializer.Serialize(set.Items, TextSetJsonContext.Default.IReadOnlyCollectionString),
        IEnumerable<string> list => string.Join(' ', list),
        _ => value,
    };

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public override IReadOnlyList<string> ReadList(DbDataReader reader, int ordinal)
    {
        var value = reader.GetString(ordinal);
        return value.Length == 0 ? [] : value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    public override bool IsUniqueViolation(Exception e) => e is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };

    public override bool IsUnavailable(Exception e) => e is SqliteException sqlite && (sqlite.SqliteErrorCode & 0xff) switch
    {
        5 or 6 => true, // SQLITE_BUSY, SQLITE_LOCKED
        10 or 13 or 14 => true, // SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
        _ => false,
    };

    public override bool IsRetryable(Exception e) => false;

    public override MetadataUnavailableException Unavailable(Exception e) => new($"SQLite: {e.Message}", e);

    public override void Dispose() => _pool.Dispose();

    private DbSession Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            // FULL syncs the WAL at every commit, so a commit survives power loss (NORMAL would survive only a crash of
            // the process); commits are grouped to share that sync. Blobs are fsynced before any commit names them.
            // temp_store = MEMORY: a group commit's savepoints need a statement journal, which is otherwise a new file
            // created (and deleted) in /var/tmp per transaction; it holds nothing that must survive a crash.
            pragmas.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;";
            pragmas.ExecuteNonQuery();
            return new DbSession(connection, this);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
