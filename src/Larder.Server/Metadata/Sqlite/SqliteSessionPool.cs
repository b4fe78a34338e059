using System.Collections.Concurrent;
using Larder.Server.Metadata.Relational;

namespace Larder.Server.Metadata.Sqlite;

/// <summary>
/// Open SQLite sessions (connection plus prepared statements) for reuse, so that hot lookups skip both opening a
/// connection and compiling SQL. A session that saw an error is discarded by its user, not returned.
/// </summary>
internal sealed class SqliteSessionPool(Func<DbSession> open, int maxIdle) : IDisposable
{
    private readonly ConcurrentBag<DbSession> _idle = [];
    private int _idleCount;
    private bool _disposed;

    public DbSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }
        return open();
    }

    public void Return(DbSession session)
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
