using Microsoft.Data.Sqlite;

namespace Larder.Server.Metadata.Sqlite;

/// <summary>
/// One open SQLite connection with its prepared statements, kept by <see cref="SqliteSessionPool"/> so that hot
/// lookups skip both opening a connection and compiling SQL.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteSession(string connectionString)
    {
        Connection = new SqliteConnection(connectionString);
        Connection.Open();
        using var pragmas = Connection.CreateCommand();
        // NORMAL is durable across application crashes in WAL mode; blobs are fsynced before any commit names them.
        pragmas.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
        pragmas.ExecuteNonQuery();
    }

    public SqliteConnection Connection { get; }

    /// <summary>
    /// The prepared command for <paramref name="sql"/>, its parameters (named <c>$p0</c>, <c>$p1</c>, … in the SQL)
    /// set to <paramref name="values"/> in order.
    /// </summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<object?> values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.Add(new SqliteParameter("$p" + i, null));
            }
            command.Prepare();
            _commands[sql] = command;
        }
        command.Transaction = null;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return command;
    }

    /// <summary>Same as <see cref="Command(string, ReadOnlySpan{object?})"/>, inside <paramref name="transaction"/>.</summary>
    public SqliteCommand Command(SqliteTransaction transaction, string sql, params ReadOnlySpan<object?> values)
    {
        var command = Command(sql, values);
        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        Connection.Dispose();
    }
}
