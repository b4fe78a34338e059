using System.Net.Sockets;
using Npgsql;

namespace Larder.Server.Metadata.Postgres;

/// <summary>
/// <see cref="IMetadataStore"/> on PostgreSQL, shared by any number of stateless server replicas. Connections come
/// from one pooled <see cref="NpgsqlDataSource"/>. Commits run in one READ COMMITTED transaction that locks what it
/// checks (<c>FOR UPDATE</c>/<c>FOR SHARE</c>) and inserts with <c>ON CONFLICT</c>, so identical commits racing from
/// two replicas both succeed and store the path and its NAR once. Nothing is cached in memory: every answer is the
/// database's. A database that is down or restarting surfaces as <see cref="MetadataUnavailableException"/>; the
/// pool is then cleared so the next request opens fresh connections, and idempotent operations retry once.
/// </summary>
public sealed partial class PostgresMetadataStore : IMetadataStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Database=larder;Username=larder;Password=…</c>.</param>
    public PostgresMetadataStore(string connectionString)
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
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => PostgresMigrations.All[^1].Version;

    /// <inheritdoc />
    /// <remarks>
    /// All pending scripts run in one transaction holding a transaction-scoped advisory lock, so replicas starting
    /// together apply each script exactly once: the others wait for the lock, then find nothing left to do.
    /// </remarks>
    public Task MigrateAsync(CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
    {
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await Execute(connection, transaction, "SELECT pg_advisory_xact_lock($1);", ct, PostgresMigrations.AdvisoryLockKey).ConfigureAwait(false);
        await Execute(
            connection,
            transaction,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());",
            ct).ConfigureAwait(false);
        var applied = await ReadVersionsAsync(connection, transaction, ct).ConfigureAwait(false);
        foreach (var (version, sql) in PostgresMigrations.All)
        {
            if (applied.Contains(version))
            {
                continue;
            }
            await Execute(connection, transaction, sql, ct).ConfigureAwait(false);
            await Execute(connection, transaction, "INSERT INTO schema_migrations (version) VALUES ($1);", ct, version).ConfigureAwait(false);
        }
        if (applied.Count > 0 && applied.Max() > LatestVersion)
        {
            throw new InvalidOperationException(
                $"the PostgreSQL schema is at version {applied.Max()}, newer than this Larder knows ({LatestVersion}): upgrade Larder");
        }
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    /// <summary>The schema versions applied so far, ascending (empty before the first migration).</summary>
    public Task<IReadOnlyList<int>> GetAppliedMigrationsAsync(CancellationToken cancellationToken) => RunAsync(async (connection, ct) =>
    {
        var exists = await Scalar(connection, null, "SELECT to_regclass('schema_migrations') IS NOT NULL;", ct).ConfigureAwait(false);
        if (exists is not true)
        {
            return (IReadOnlyList<int>)[];
        }
        var versions = await ReadVersionsAsync(connection, null, ct).ConfigureAwait(false);
        return (IReadOnlyList<int>)[.. versions.Order()];
    }, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _dataSource.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task<HashSet<int>> ReadVersionsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, "SELECT version FROM schema_migrations;");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var versions = new HashSet<int>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            versions.Add(reader.GetInt32(0));
        }
        return versions;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a pooled connection. A conflict between concurrent transactions (deadlock,
    /// serialization failure) reruns the body; an unreachable database clears the pool and, when
    /// <paramref name="idempotent"/>, tries once more on a fresh connection before giving up with
    /// <see cref="MetadataUnavailableException"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> body, CancellationToken cancellationToken, bool idempotent = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await body(connection, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 5)
            {
                // Another transaction won a race; rerunning sees its result.
            }
            catch (Exception e) when (IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
            {
                // Connections opened before a restart are all dead: drop them so later requests start clean.
                _dataSource.Clear();
                if (!idempotent || attempt > 1)
                {
                    throw new MetadataUnavailableException($"PostgreSQL is unavailable: {Describe(e)}", e);
                }
            }
        }
    }

    /// <summary>Whether <paramref name="e"/> means the database could not be reached or went away (not a bug in a query).</summary>
    internal static bool IsUnavailable(Exception e) => e switch
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
