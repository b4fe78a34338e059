using Larder.Server.Metadata.Relational.GroupCommit;

namespace Larder.Server.Metadata.Relational;

/// <summary>
/// <see cref="IMetadataStore"/> on a relational database, one implementation for all of them over ADO.NET; a
/// <see cref="SqlDialect"/> supplies what differs. Writes that must keep invariants run in one write transaction
/// each (see <see cref="SqlDialect.BeginWriteAsync"/>) that locks what it checks and inserts with <c>ON CONFLICT</c>,
/// so identical commits racing from two replicas both succeed and store the path and its NAR once. Nothing is cached
/// in memory: every answer is the database's. A database that cannot be reached surfaces as
/// <see cref="MetadataUnavailableException"/>.
/// </summary>
public abstract partial class RelationalMetadataStore : IMetadataStore, IAsyncDisposable, IDisposable
{
    private readonly SqlDialect _dialect;
    private readonly TimeProvider _time;
    private readonly CommitGroup? _commitGroup;
    private long _commandCount;
    private long _commitCount;
    private long _roundTripCount;
    private readonly Action _countCommand;
    private readonly Action _countCommit;
    private readonly Action _countRoundTrip;

    /// <param name="dialect">The database.</param>
    /// <param name="time">The clock for release times of operations that take none (cache and staged-upload deletion).</param>
    private protected RelationalMetadataStore(SqlDialect dialect, TimeProvider? time)
    {
        _dialect = dialect;
        _time = time ?? TimeProvider.System;
        _countCommand = () => Interlocked.Increment(ref _commandCount);
        _countCommit = () => Interlocked.Increment(ref _commitCount);
        _countRoundTrip = () => Interlocked.Increment(ref _roundTripCount);
        if (dialect.GroupsCommits)
        {
            _commitGroup = new CommitGroup(
                body => RunUntimedAsync(body, CancellationToken.None, idempotent: false), e => _dialect.IsUnavailable(e) || _dialect.IsRetryable(e));
        }
    }

    /// <summary>How many SQL commands this store has run (for tests that bound the cost of an operation).</summary>
    public long CommandCount => Interlocked.Read(ref _commandCount);

    /// <summary>How many write transactions this store has committed (for tests of group commit).</summary>
    public long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>How many requests (a statement, a batch of them, a commit) this store has sent to the database (for tests that bound round trips).</summary>
    public long RoundTripCount => Interlocked.Read(ref _roundTripCount);

    /// <inheritdoc />
    /// <remarks>
    /// All pending scripts run in one write transaction (under the dialect's migration lock), so replicas starting
    /// together apply each script exactly once: the others wait, then find nothing left to do.
    /// </remarks>
    public Task MigrateAsync(CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        if (_dialect.BeforeMigrationSql is { } before)
        {
            await session.ExecuteScriptAsync(before, ct).ConfigureAwait(false);
        }
        await session.BeginWriteAsync(ct).ConfigureAwait(false);
        if (_dialect.MigrationLockSql is { } lockSql)
        {
            await session.ExecuteScriptAsync(lockSql, ct).ConfigureAwait(false);
        }
        await session.ExecuteScriptAsync(_dialect.CreateMigrationsTableSql, ct).ConfigureAwait(false);
        var applied = await ReadVersionsAsync(session, ct).ConfigureAwait(false);
        var latest = _dialect.Migrations[^1].Version;
        if (applied.Count > 0 && applied.Max() > latest)
        {
            throw new InvalidOperationException(
                $"the metadata schema is at version {applied.Max()}, newer than this Larder knows ({latest}): upgrade Larder");
        }
        foreach (var (version, sql) in _dialect.Migrations)
        {
            if (applied.Contains(version))
            {
                continue;
            }
            await session.ExecuteScriptAsync(sql, ct).ConfigureAwait(false);
            await session.ExecuteAsync("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2);", ct, version, DateTimeOffset.UtcNow)
                .ConfigureAwait(false);
        }
        await session.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    /// <summary>The schema versions applied so far, ascending (empty before the first migration).</summary>
    public Task<IReadOnlyList<int>> GetAppliedMigrationsAsync(CancellationToken cancellationToken) => RunAsync(async (session, ct) =>
    {
        var exists = Convert.ToInt64(await session.ScalarAsync(_dialect.MigrationsTableExistsSql, ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (exists == 0)
        {
            return (IReadOnlyList<int>)[];
        }
        var versions = await ReadVersionsAsync(session, ct).ConfigureAwait(false);
        return (IReadOnlyList<int>)[.. versions.Order()];
    }, cancellationToken);

    public void Dispose()
    {
        _dialect.Dispose();
        GC.SuppressFinalize(this);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<HashSet<int>> ReadVersionsAsync(DbSession session, CancellationToken ct) =>
        [.. await ReadAllAsync(session, "SELECT version FROM schema_migrations;", reader => reader.GetInt32(0), ct).ConfigureAwait(false)];

    /// <summary>
    /// Runs <paramref name="body"/> on a session. A conflict between concurrent transactions reruns the body; an
    /// unavailable database is reported to the dialect (which may clear its pool) and, when
    /// <paramref name="idempotent"/> and the dialect allows, tried once more before giving up with
    /// <see cref="MetadataUnavailableException"/>. A transaction the body left open is rolled back; a session that
    /// saw an error is discarded, not reused.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<DbSession, CancellationToken, Task<T>> body, CancellationToken cancellationToken, bool idempotent = true)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await RunUntimedAsync(body, cancellationToken, idempotent).ConfigureAwait(false);
        }
        finally
        {
            OperationTimed?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<T> RunUntimedAsync<T>(Func<DbSession, CancellationToken, Task<T>> body, CancellationToken cancellationToken, bool idempotent)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DbSession? session = null;
            try
            {
                session = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
                session.CommandRun = _countCommand;
                session.Committed = _countCommit;
                session.RoundTrip = _countRoundTrip;
                var result = await body(session, cancellationToken).ConfigureAwait(false);
                await session.RollbackAsync().ConfigureAwait(false);
                _dialect.Return(session);
                return result;
            }
            catch (Exception e) when (_dialect.IsRetryable(e) && attempt < 5)
            {
                // Another transaction won a race; rerunning sees its result.
                session?.Dispose();
            }
            catch (Exception e) when (_dialect.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
            {
                session?.Dispose();
                _dialect.OnUnavailable(e);
                if (!idempotent || attempt > 1 || !_dialect.RetriesWhenUnavailable)
                {
                    throw _dialect.Unavailable(e);
                }
            }
            catch
            {
                session?.Dispose();
                throw;
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> in a write transaction that commits when it returns.</summary>
    private Task<T> RunWriteAsync<T>(Func<DbSession, CancellationToken, Task<T>> body, CancellationToken cancellationToken, bool idempotent = true) =>
        RunWriteAsync(body, _ => true, cancellationToken, idempotent);

    /// <summary>
    /// Runs <paramref name="body"/> in a write transaction whose changes are committed when <paramref name="keep"/>
    /// holds for its result and rolled back otherwise. Where the dialect groups commits, the transaction is shared
    /// with the writes that arrive meanwhile (see <see cref="CommitGroup"/>), and the body runs once whatever
    /// <paramref name="idempotent"/> says.
    /// </summary>
    private Task<T> RunWriteAsync<T>(
        Func<DbSession, CancellationToken, Task<T>> body, Func<T, bool> keep, CancellationToken cancellationToken, bool idempotent = true)
    {
        if (_commitGroup is { } group)
        {
            return TimedAsync(group.WriteAsync(body, keep, cancellationToken));
        }
        return RunAsync(async (session, ct) =>
        {
            await session.BeginWriteAsync(ct).ConfigureAwait(false);
            var result = await body(session, ct).ConfigureAwait(false);
            if (keep(result))
            {
                await session.CommitAsync(ct).ConfigureAwait(false);
            }
            return result;
        }, cancellationToken, idempotent);
    }

    private async Task<T> TimedAsync<T>(Task<T> operation)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await operation.ConfigureAwait(false);
        }
        finally
        {
            OperationTimed?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }
}
