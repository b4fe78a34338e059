using Dapper;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

/// <summary>
/// <see cref="IMetadataStore"/> on an embedded SQLite database in WAL mode. Writes that must keep invariants run in
/// <c>BEGIN IMMEDIATE</c> transactions (one writer at a time, so checks and inserts cannot interleave); reads reuse
/// open connections with prepared statements.
/// </summary>
public sealed partial class SqliteMetadataStore : IMetadataStore, IDisposable
{
    private readonly SqliteSessionPool _pool;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, e.g. <c>Data Source=/data/larder.db</c>.</param>
    public SqliteMetadataStore(string connectionString)
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
        _pool = new SqliteSessionPool(builder.ToString(), maxIdle: Math.Max(8, Environment.ProcessorCount * 4));
    }

    /// <summary>A store on the database file at <paramref name="path"/> (created if missing).</summary>
    public static SqliteMetadataStore ForFile(string path) =>
        new(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString());

    /// <inheritdoc />
    public Task MigrateAsync(CancellationToken cancellationToken) => Run(cancellationToken, session =>
    {
        var connection = session.Connection;
        connection.Execute("PRAGMA journal_mode = WAL;");
        using var transaction = connection.BeginTransaction(deferred: false);
        connection.Execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);",
            transaction: transaction);
        var applied = connection.Query<long>("SELECT version FROM schema_migrations;", transaction: transaction).ToHashSet();
        foreach (var (version, sql) in SqliteMigrations.All)
        {
            if (applied.Contains(version))
            {
                continue;
            }
            connection.Execute(sql, transaction: transaction);
            connection.Execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at);",
                new { version, at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction);
        }
        transaction.Commit();
        return true;
    });

    /// <summary>The schema versions applied so far, ascending.</summary>
    public Task<IReadOnlyList<int>> GetAppliedMigrationsAsync(CancellationToken cancellationToken) => Run(cancellationToken, session =>
        (IReadOnlyList<int>)session.Connection.Query<int>("SELECT version FROM schema_migrations ORDER BY version;").ToList());

    public void Dispose() => _pool.Dispose();

    /// <summary>
    /// Runs <paramref name="body"/> on a pooled session (SQLite calls are synchronous; the result comes back as a completed
    /// or faulted task). Busy/locked/unopenable databases become <see cref="MetadataUnavailableException"/>; a session
    /// that threw is closed rather than reused.
    /// </summary>
    private Task<T> Run<T>(CancellationToken cancellationToken, Func<SqliteSession, T> body)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        SqliteSession? session = null;
        try
        {
            session = _pool.Rent();
            var result = body(session);
            _pool.Return(session);
            return Task.FromResult(result);
        }
        catch (SqliteException e) when (IsUnavailable(e))
        {
            session?.Dispose();
            return Task.FromException<T>(new MetadataUnavailableException($"SQLite: {e.Message}", e));
        }
        catch (Exception e)
        {
            session?.Dispose();
            return Task.FromException<T>(e);
        }
    }

    private static bool IsUnavailable(SqliteException e) => (e.SqliteErrorCode & 0xff) switch
    {
        5 or 6 => true, // SQLITE_BUSY, SQLITE_LOCKED
        10 or 13 or 14 => true, // SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
        _ => false,
    };

    private static bool IsUniqueViolation(SqliteException e) => e.SqliteExtendedErrorCode == 2067 || e.SqliteExtendedErrorCode == 1555;

    private static long ToDb(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static long? ToDb(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromDb(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    private static string JoinList(IEnumerable<string> items) => string.Join(' ', items);

    private static IReadOnlyList<string> SplitList(string value) =>
        value.Length == 0 ? [] : value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
