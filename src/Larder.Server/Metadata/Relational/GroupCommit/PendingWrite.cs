
namespace Larder.Server.Metadata.Relational.GroupCommit;

/// <summary>
/// One write waiting for a group transaction (<see cref="CommitGroup"/>): its body, whether its changes are kept, and
/// its caller's answer, given only after the group's commit.
/// </summary>
internal abstract class PendingWrite
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Abandoned = 2;
    private const string Savepoint = "write";
    private int _state;

    /// <summary>Still waiting for a transaction to take it.</summary>
    public bool IsQueued => Volatile.Read(ref _state) == Queued;

    /// <summary>Claims the write for a transaction; false when its caller gave up waiting.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    /// <summary>
    /// Withdraws the write (its caller was cancelled while waiting, or its transaction failed before taking it); false
    /// when a transaction took it already.
    /// </summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;

    /// <summary>
    /// Runs the body in a savepoint of <paramref name="session"/>'s transaction: released when the body succeeds and
    /// its result is to be kept, rolled back when it is not or the body fails (its error is answered after the
    /// commit). An error for which <paramref name="failsTransaction"/> holds (the database itself failing) is thrown:
    /// it ends the whole group.
    /// </summary>
    public async Task RunAsync(DbSession session, Func<Exception, bool> failsTransaction)
    {
        var transaction = session.Transaction!;
        await transaction.SaveAsync(Savepoint).ConfigureAwait(false);
        bool keep;
        try
        {
            keep = await RunBodyAsync(session).ConfigureAwait(false);
        }
        catch (Exception e) when (!failsTransaction(e))
        {
            Refused(e);
            keep = false;
        }
        if (!keep)
        {
            await transaction.RollbackAsync(Savepoint).ConfigureAwait(false);
        }
        await transaction.ReleaseAsync(Savepoint).ConfigureAwait(false);
    }

    /// <summary>Runs the body, keeping its result for <see cref="Answer"/>; returns whether its changes are kept.</summary>
    protected abstract Task<bool> RunBodyAsync(DbSession session);

    /// <summary>Records the body's own error, answered after the commit.</summary>
    protected abstract void Refused(Exception e);

    /// <summary>Answers the caller with the body's result or error (after the group committed).</summary>
    public abstract void Answer();

    /// <summary>Answers the caller with the group's failure: nothing of the write was committed.</summary>
    public abstract void Fail(Exception e);
}

/// <summary>A <see cref="PendingWrite"/> whose body returns <typeparamref name="T"/>.</summary>
internal sealed class PendingWrite<T>(
    Func<DbSession, CancellationToken, Task<T>> body, Func<T, bool> keep, CancellationToken cancellationToken) : PendingWrite
{
    private readonly TaskCompletionSource<T> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    /// <summary>The caller's answer.</summary>
    public Task<T> Answered => _answer.Task;

    protected override async Task<bool> RunBodyAsync(DbSession session)
    {
        _error = null;
        cancellationToken.ThrowIfCancellationRequested();
        var result = await body(session, cancellationToken).ConfigureAwait(false);
        _result = result;
        return keep(result);
    }

    protected override void Refused(Exception e) => _error = e;

    public override void Answer()
    {
        if (_error is null)
        {
            _answer.TrySetResult(_result!);
        }
        else
        {
            _answer.TrySetException(_error);
        }
    }

    public override void Fail(Exception e) => _answer.TrySetException(e);
}
