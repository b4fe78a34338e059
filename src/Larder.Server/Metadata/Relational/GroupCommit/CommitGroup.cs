using System.Collections.Concurrent;

namespace Larder.Server.Metadata.Relational.GroupCommit;

/// <summary>
/// Group commit, for a database whose writers take turns anyway and whose every commit waits for the disk (SQLite
/// with <c>synchronous = FULL</c>). Writes that arrive while a transaction runs queue up; the next caller to get the
/// turn runs all of them in one transaction, each in a savepoint of its own (so a write that fails or is refused undoes
/// only its own changes, as its own transaction would), and commits once. No caller is answered before that commit
/// is durable; if it fails, every write of the group fails with its error and none of them took effect.
/// </summary>
internal sealed class CommitGroup(
    Func<Func<DbSession, CancellationToken, Task<bool>>, Task> runTransaction, Func<Exception, bool> failsTransaction)
{
    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>
    /// Runs <paramref name="body"/> in the next group transaction; its changes are committed when
    /// <paramref name="keep"/> holds for its result, rolled back (alone) otherwise or when it throws.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbSession, CancellationToken, Task<T>> body, Func<T, bool> keep, CancellationToken cancellationToken)
    {
        var write = new PendingWrite<T>(body, keep, cancellationToken);
        _queue.Enqueue(write);
        bool hasTurn;
        try
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            hasTurn = true;
        }
        catch (OperationCanceledException) when (!write.TryAbandon())
        {
            // A group took the write before the cancellation: its answer follows.
            hasTurn = false;
        }
        if (hasTurn)
        {
            try
            {
                // Otherwise the group before ours ran this write and answered it before giving up the turn.
                if (write.IsQueued && await RunGroupAsync().ConfigureAwait(false) is { } failure && write.TryAbandon())
                {
                    // The transaction failed before it took any write (it could not begin): no later group may run
                    // this one for a caller that has its answer.
                    write.Fail(failure);
                }
            }
            finally
            {
                _turn.Release();
            }
        }
        return await write.Answered.ConfigureAwait(false);
    }

    /// <summary>Runs the queued writes in one transaction and answers them; returns the transaction's failure, if any.</summary>
    private async Task<Exception?> RunGroupAsync()
    {
        var group = new List<PendingWrite>();
        try
        {
            await runTransaction(async (session, ct) =>
            {
                await session.BeginWriteAsync(ct).ConfigureAwait(false);
                // Taken only now, with the database's write lock held, so writes that queued meanwhile join.
                while (_queue.TryDequeue(out var write))
                {
                    if (write.TryTake())
                    {
                        group.Add(write);
                    }
                }
                foreach (var write in group)
                {
                    await write.RunAsync(session, failsTransaction).ConfigureAwait(false);
                }
                await session.CommitAsync(ct).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var write in group)
            {
                write.Fail(e);
            }
            return e;
        }
        foreach (var write in group)
        {
            write.Answer();
        }
        return null;
    }
}
