using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Larder.Server.Metadata.Relational;
using Npgsql;

namespace Larder.Server.Metadata.Postgres;

/// <summary>
/// PostgreSQL for <see cref="RelationalMetadataStore"/>, shared by any number of stateless server replicas.
/// Connections come from one pooled <see cref="NpgsqlDataSource"/> whose statements Npgsql prepares automatically.
/// Write transactions are READ COMMITTED and lock what they check (<c>FOR UPDATE</c>/<c>FOR KEY SHARE</c>). A database
/// that is down or restarting clears the pool, so the next request opens fresh connections; a loaded one does not:
/// sessions beyond the pool wait for a free one as long as their request lasts (see <see cref="OpenAsync"/>).
/// Lists are <c>text[]</c>, times <c>timestamptz</c> kept to the millisecond.
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    /// <summary>Pool connections kept out of the sessions' share: the serving-change listener's and a notify's.</summary>
    private const int ReservedConnections = 2;

    /// <summary>Npgsql's wait for a new connection when the operator sets none (its own default, 15 s, is short under heavy load).</summary>
    private const int DefaultConnectTimeoutSeconds = 60;

    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _sessionSlots;

    public PostgresDialect(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"invalid PostgreSQL connection string: {e.Message}", nameof(connectionString), e);
        }
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "larder";
        }
        // Every query here is one of a few fixed statements: let Npgsql prepare them server-side once per connection,
        // and skip the DISCARD ALL on pool return (Larder keeps no session state), unless the operator chose otherwise.
        if (!HasKey(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        if (!HasKey(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        if (!HasKey(connectionString, "Timeout"))
        {
            builder.Timeout = DefaultConnectTimeoutSeconds;
        }
        _dataSource = NpgsqlDataSource.Create(builder);
        _sessionSlots = new SemaphoreSlim(Math.Max(1, builder.MaxPoolSize - ReservedConnections));
    }

    public override IReadOnlyList<(int Version, string Sql)> Migrations => PostgresMigrations.All;

    public override string CreateMigrationsTableSql =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());";

    public override string MigrationsTableExistsSql => "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END;";

    public override string MigrationLockSql =>
        string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({PostgresMigrations.AdvisoryLockKey});");

    public override string ForShare => " FOR KEY SHARE";

    public override string ForUpdateOf(string alias) => $" FOR UPDATE OF {alias}";

    public override string ForNoKeyUpdateOf(string alias) => $" FOR NO KEY UPDATE OF {alias}";

    public override string OrdinalCollation => " COLLATE \"C\"";

    /// <summary>
    /// A transaction-scoped advisory lock on (cache, hash part), in the two-integer key space (the migration lock uses
    /// the one-bigint space, which never overlaps it); two paths sharing a key only wait for each other.
    /// </summary>
    public override string PathCommitLockSql => "SELECT pg_advisory_xact_lock($1, hashtext($2));";

    public override string Greatest => "GREATEST";

    /// <inheritdoc />
    public override string PathNameSql(string alias) => $"(substr({alias}.store_path, strpos({alias}.store_path, {alias}.hash_part) + 33) COLLATE \"C\")";

    public override string TextSetSource(int parameter, string alias) =>
        string.Create(CultureInfo.InvariantCulture, $"unnest(${parameter}::text[]) WITH ORDINALITY AS {alias}(h, i)");

    public override string MissingPathsSql =>
        // One index probe per hash, in index order. A plain NOT EXISTS lets the planner pick a hash anti-join that
        // reads every path of the table (440 ms at 1M paths, against under 120 ms this way).
        """
        SELECT t.h
        FROM (SELECT u.h, u.i FROM unnest($2::text[]) WITH ORDINALITY AS u(h, i) ORDER BY u.h COLLATE "C") t
        LEFT JOIN LATERAL (SELECT 1 AS found FROM paths p WHERE p.cache_id = $1 AND p.hash_part = t.h LIMIT 1) f ON true
        WHERE f.found IS NULL
        ORDER BY t.i;
        """;

    /// <inheritdoc />
    /// <remarks>
    /// One statement, so what is added is exactly what is deleted. Under an advisory lock that a second fold does not
    /// wait for (it folds nothing), so folds of two replicas never deadlock on the cache_stats rows.
    /// </remarks>
    public override string FoldCacheStatsSql => string.Create(CultureInfo.InvariantCulture, $$"""
        WITH folded AS (
            DELETE FROM cache_stat_deltas WHERE (SELECT pg_try_advisory_xact_lock({{PostgresMigrations.AdvisoryLockKey + 1}}))
            RETURNING cache_id, path_count, nar_bytes, stored_bytes
        )
        UPDATE cache_stats s SET path_count = s.path_count + d.n, nar_bytes = s.nar_bytes + d.nar, stored_bytes = s.stored_bytes + d.stored
        FROM (SELECT cache_id, SUM(path_count) AS n, SUM(nar_bytes) AS nar, SUM(stored_bytes) AS stored FROM folded GROUP BY cache_id) AS d
        WHERE s.cache_id = d.cache_id;
        """);

    public override bool PreparesCommands => false;

    public override bool RetriesWhenUnavailable => true;

    public override bool BatchesStatements => true;

    /// <summary>
    /// A session once one of the pool's connections is free. Npgsql's own wait for a pooled connection ends after the
    /// connection <c>Timeout</c> with the same error as an unreachable server; under load (many concurrent pushes on a
    /// busy machine) that refused requests with 503 while the database was up. So sessions queue here, bounded only by
    /// their request, and Npgsql's timeout is left to opening a connection.
    /// </summary>
    public override async ValueTask<DbSession> OpenAsync(CancellationToken cancellationToken)
    {
        await _sessionSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new DbSession(await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false), this) { Closed = () => _sessionSlots.Release() };
        }
        catch
        {
            _sessionSlots.Release();
            throw;
        }
    }

    public override void Return(DbSession session) => session.Dispose();

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    public override DbParameter CreateParameter(int index) => new NpgsqlParameter();

    /// <summary>Times go in as UTC cut to whole milliseconds (what SQLite keeps too), lists as <c>text[]</c>, null as NULL.</summary>
    public override object ToDb(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset at => ToDb(at),
        string text => text,
        TextSet set => set.Items as string[] ?? [.. set.Items],
        IEnumerable<string> list => list as string[] ?? [.. list],
        _ => value,
    };

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    public override IReadOnlyList<string> ReadList(DbDataReader reader, int ordinal) => reader.GetFieldValue<string[]>(ordinal);

    public override bool IsUniqueViolation(Exception e) => e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exceptions
            || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) // admin/crash shutdown, cannot connect now
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources, too many connections
            || pg.SqlState == "58030", // I/O error
        NpgsqlException => true, // not a server error: I/O, timeouts, broken connection, pool exhausted
        SocketException or IOException or TimeoutException => true,
        InvalidOperationException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };

    public override bool IsRetryable(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    // Connections opened before a restart are all dead: drop them so later requests start clean. A timeout says nothing
    // of the pooled connections (Npgsql breaks a timed-out one itself): clearing then would only make every waiting
    // request open a new connection on a database that is already slow.
    public override void OnUnavailable(Exception e)
    {
        if (!IsTimeout(e))
        {
            _dataSource.Clear();
        }
    }

    public override MetadataUnavailableException Unavailable(Exception e) => new($"PostgreSQL is unavailable: {Describe(e)}", e);

    public override Task PublishServingChangeAsync(string notice, CancellationToken cancellationToken) =>
        PostgresServingChannel.PublishAsync(_dataSource, notice, cancellationToken);

    public override string PublishServingChangeSql => PostgresServingChannel.PublishSql;

    public override Task ListenForServingChangesAsync(Action onListening, Action<string> onNotice, CancellationToken cancellationToken) =>
        PostgresServingChannel.ListenAsync(_dataSource, onListening, onNotice, cancellationToken);

    public override void Dispose()
    {
        _dataSource.Dispose();
        _sessionSlots.Dispose();
    }

    private static bool IsTimeout(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is TimeoutException)
            {
                return true;
            }
        }
        return false;
    }

    private static DateTime ToDb(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    private static bool HasKey(string connectionString, params string[] keys) =>
        connectionString.Split(';').Any(part => keys.Any(key =>
            part.TrimStart().StartsWith(key, StringComparison.OrdinalIgnoreCase) && part.Contains('=', StringComparison.Ordinal)));

    private static string Describe(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message = $"{message} ({inner.Message})";
        }
        return message;
    }
}
