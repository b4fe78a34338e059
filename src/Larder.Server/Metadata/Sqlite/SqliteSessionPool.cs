using System.Collections.Concurrent;

namespace Larder.Server.Metadata.Sqlite;

/// <summary>Open <see cref="SqliteSession"/>s for reuse; a session that saw an error is discarded, not returned.</summary>
internal sealed class SqliteSessionPool(string connectionString, int maxIdle) : IDisposable
{
    private readonly ConcurrentBag<SqliteSession> _idle = [];
    private int _idleCount;
    private bool _disposed;

    public SqliteSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }
        return new SqliteSession(connectionString);
    }

    public void Return(SqliteSession session)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > maxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            session.Dispose();
            return;
        }
        _idle.Add(session);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session))
        {
            session.Dispose();
        }
    }
}
