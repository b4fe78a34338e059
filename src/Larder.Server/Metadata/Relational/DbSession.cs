using System.Data.Common;

namespace Larder.Server.Metadata.Relational;

/// <summary>
/// One open connection, its current transaction and its commands by SQL text (prepared once where the dialect
/// prepares). Commands belong to the session: callers dispose readers, never commands.
/// </summary>
internal sealed class DbSession(DbConnection connection, SqlDialect dialect) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public DbConnection Connection { get; } = connection;

    public DbTransaction? Transaction { get; private set; }

    /// <summary>Called for every command run (the store's counter).</summary>
    public Action? CommandRun { get; set; }

    /// <summary>Called for every transaction committed (the store's counter).</summary>
    public Action? Committed { get; set; }

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

    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] args) =>
        Command(sql, args).ExecuteNonQueryAsync(cancellationToken);

    /// <summary>The first column of the first row, or null for no row or NULL.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params object?[] args)
    {
        var value = await Command(sql, args).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    public Task<DbDataReader> ReaderAsync(string sql, CancellationToken cancellationToken, params object?[] args) =>
        Command(sql, args).ExecuteReaderAsync(cancellationToken);

    /// <summary>Runs a script once (schema changes), without keeping or preparing its command.</summary>
    public async Task ExecuteScriptAsync(string sql, CancellationToken cancellationToken)
    {
        CommandRun?.Invoke();
        await using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task BeginWriteAsync(CancellationToken cancellationToken) =>
        Transaction = await dialect.BeginWriteAsync(Connection, cancellationToken).ConfigureAwait(false);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Transaction!.CommitAsync(cancellationToken).ConfigureAwait(false);
        EndTransaction();
        Committed?.Invoke();
    }

    /// <summary>Rolls back a transaction the caller chose not to commit (nothing to do when none is open).</summary>
    public async Task RollbackAsync()
    {
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
            Connection.Dispose();
        }
        finally
        {
            _closed?.Invoke();
            _closed = null;
        }
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
}
