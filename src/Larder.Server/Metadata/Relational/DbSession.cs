using System.Data.Common;

namespace Larder.Server.Metadata.Relational;

/// <summary>
/// One open connection, its current transaction and its commands by SQL text (prepared once where the dialect
/// prepares). Commands belong to the session: callers dispose readers, never commands. Where the dialect batches
/// (<see cref="SqlDialect.BatchesStatements"/>), statements deferred in a transaction go out in one round trip with
/// the next statement or the commit.
/// </summary>
internal sealed class DbSession(DbConnection connection, SqlDialect dialect) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly List<DeferredStatement> _deferred = [];
    private DbBatch? _batch;

    public DbConnection Connection { get; } = connection;

    public DbTransaction? Transaction { get; private set; }

    /// <summary>Called for every command run (the store's counter).</summary>
    public Action? CommandRun { get; set; }

    /// <summary>Called for every transaction committed (the store's counter).</summary>
    public Action? Committed { get; set; }

    /// <summary>Called for every request sent to the database: a statement, a batch of them, a commit (the store's counter).</summary>
    public Action? RoundTrip { get; set; }

    private Action? _closed;

    /// <summary>Called once when the session is disposed (the dialect's slot is free again).</summary>
    public Action? Closed { init => _closed = value; }

    /// <summary>The command for <paramref name="sql"/> in the current transaction, parameters <c>$1…</c> set to <paramref name="args"/>.</summary>
    public DbCommand Command(string sql, params ReadOnlySpan<object?> args)
    {
        CommandRun?.Invoke();
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < args.Length; i++)
            {
                command.Parameters.Add(dialect.CreateParameter(i));
            }
            command.Transaction = Transaction;
            if (dialect.PreparesCommands)
            {
                command.Prepare();
            }
            _commands[sql] = command;
        }
        command.Transaction = Transaction;
        for (var i = 0; i < args.Length; i++)
        {
            command.Parameters[i].Value = dialect.ToDb(args[i]);
        }
        return command;
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] args)
    {
        if (_deferred.Count == 0)
        {
            RoundTrip?.Invoke();
            return await Command(sql, args).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        var batch = Batch([(sql, args)]);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return batch.BatchCommands[^1].RecordsAffected;
    }

    /// <summary>The first column of the first row, or null for no row or NULL.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params object?[] args)
    {
        if (_deferred.Count == 0)
        {
            RoundTrip?.Invoke();
            var value = await Command(sql, args).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
        await using var reader = await ReaderAsync(sql, cancellationToken, args).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) ? reader.GetValue(0) : null;
    }

    public async Task<DbDataReader> ReaderAsync(string sql, CancellationToken cancellationToken, params object?[] args)
    {
        if (_deferred.Count == 0)
        {
            RoundTrip?.Invoke();
            return await Command(sql, args).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        }
        // The deferred statements come first; those that return rows have result sets of their own to skip.
        var skip = _deferred.Count(statement => statement.ReturnsRows);
        var reader = await Batch([(sql, args)]).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < skip; i++)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return reader;
    }

    /// <summary>Whether statements of a transaction go out together (<see cref="SqlDialect.BatchesStatements"/>).</summary>
    public bool BatchesStatements => dialect.BatchesStatements;

    /// <summary>
    /// Runs <paramref name="statements"/> in order, each one returning rows, and answers the first column of each one's
    /// first row (null for no row or NULL): in one round trip, with the deferred statements, where the dialect batches.
    /// For statements that do not depend on each other's results.
    /// </summary>
    public async Task<object?[]> ScalarsAsync(CancellationToken cancellationToken, params (string Sql, object?[] Args)[] statements)
    {
        var results = new object?[statements.Length];
        if (!dialect.BatchesStatements)
        {
            for (var i = 0; i < statements.Length; i++)
            {
                results[i] = await ScalarAsync(statements[i].Sql, cancellationToken, statements[i].Args).ConfigureAwait(false);
            }
            return results;
        }
        var skip = _deferred.Count(statement => statement.ReturnsRows);
        await using var reader = await Batch(statements).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < skip; i++)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
        for (var i = 0; i < statements.Length; i++)
        {
            if (i > 0)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
            results[i] = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) ? reader.GetValue(0) : null;
        }
        return results;
    }

    /// <summary>
    /// Runs <paramref name="sql"/>, whose result nobody reads, in the current transaction: where the dialect batches, it
    /// is sent with the next statement or the commit (its error, if any, surfaces there); otherwise at once.
    /// </summary>
    public Task DeferAsync(string sql, CancellationToken cancellationToken, params object?[] args) =>
        Defer(new DeferredStatement(sql, args, ReturnsRows: false), cancellationToken);

    /// <summary><see cref="DeferAsync"/> for a <c>SELECT</c> run for its effect (taking a lock): its rows are skipped.</summary>
    public Task DeferSelectAsync(string sql, CancellationToken cancellationToken, params object?[] args) =>
        Defer(new DeferredStatement(sql, args, ReturnsRows: true), cancellationToken);

    /// <summary>Runs a script once (schema changes), without keeping or preparing its command.</summary>
    public async Task ExecuteScriptAsync(string sql, CancellationToken cancellationToken)
    {
        if (_deferred.Count > 0)
        {
            await Batch([]).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        CommandRun?.Invoke();
        RoundTrip?.Invoke();
        await using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task BeginWriteAsync(CancellationToken cancellationToken) =>
        Transaction = await dialect.BeginWriteAsync(Connection, cancellationToken).ConfigureAwait(false);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_deferred.Count > 0)
        {
            // The deferred statements and the commit in one round trip; the transaction object then only ends.
            await Batch([], thenCommit: true).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            RoundTrip?.Invoke();
            await Transaction!.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        EndTransaction();
        Committed?.Invoke();
    }

    /// <summary>Rolls back a transaction the caller chose not to commit (nothing to do when none is open).</summary>
    public async Task RollbackAsync()
    {
        _deferred.Clear();
        if (Transaction is null)
        {
            return;
        }
        try
        {
            await Transaction.RollbackAsync().ConfigureAwait(false);
        }
        finally
        {
            EndTransaction();
        }
    }

    public void Dispose()
    {
        if (Transaction is not null)
        {
            EndTransaction();
        }
        try
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }
            _batch?.Dispose();
            Connection.Dispose();
        }
        finally
        {
            _closed?.Invoke();
            _closed = null;
        }
    }

    private Task Defer(DeferredStatement statement, CancellationToken cancellationToken)
    {
        if (!dialect.BatchesStatements || Transaction is null)
        {
            return ExecuteAsync(statement.Sql, cancellationToken, statement.Args);
        }
        CommandRun?.Invoke();
        _deferred.Add(statement);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The deferred statements, then <paramref name="statements"/> and, when <paramref name="thenCommit"/>, a
    /// <c>COMMIT</c>, as the session's one batch; the deferred list is emptied.
    /// </summary>
    private DbBatch Batch((string Sql, object?[] Args)[] statements, bool thenCommit = false)
    {
        _batch ??= Connection.CreateBatch();
        _batch.BatchCommands.Clear();
        _batch.Transaction = Transaction;
        foreach (var statement in _deferred)
        {
            AddToBatch(statement.Sql, statement.Args);
        }
        _deferred.Clear();
        foreach (var (sql, args) in statements)
        {
            CommandRun?.Invoke();
            AddToBatch(sql, args);
        }
        if (thenCommit)
        {
            AddToBatch("COMMIT", []);
        }
        RoundTrip?.Invoke();
        return _batch;
    }

    private void AddToBatch(string sql, object?[] args)
    {
        var command = _batch!.CreateBatchCommand();
        command.CommandText = sql;
        for (var i = 0; i < args.Length; i++)
        {
            var parameter = dialect.CreateParameter(i);
            parameter.Value = dialect.ToDb(args[i]);
            command.Parameters.Add(parameter);
        }
        _batch.BatchCommands.Add(command);
    }

    private void EndTransaction()
    {
        try
        {
            Transaction!.Dispose();
        }
        finally
        {
            Transaction = null;
            dialect.EndWrite();
        }
    }

    private sealed record DeferredStatement(string Sql, object?[] Args, bool ReturnsRows);
}
