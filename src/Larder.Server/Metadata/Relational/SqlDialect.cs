using System.Data.Common;

namespace Larder.Server.Metadata.Relational;

/// <summary>
/// What differs between the databases <see cref="RelationalMetadataStore"/> runs on: connections and write
/// transactions, how lists, times and sets of strings travel, a few SQL fragments, error classification and the
/// schema. SQL text is shared: parameters are written <c>$1</c>, <c>$2</c>, … and each dialect binds them its way.
/// </summary>
internal abstract class SqlDialect : IDisposable
{
    /// <summary>The scripts that build the schema, in order. Never edit a published script: add the next one.</summary>
    public abstract IReadOnlyList<(int Version, string Sql)> Migrations { get; }

    /// <summary>Creates the migrations table when missing.</summary>
    public abstract string CreateMigrationsTableSql { get; }

    /// <summary>A query answering 1 when the migrations table exists, else 0.</summary>
    public abstract string MigrationsTableExistsSql { get; }

    /// <summary>Run before the migration transaction (outside any transaction), or null.</summary>
    public virtual string? BeforeMigrationSql => null;

    /// <summary>Run first inside the migration transaction, so replicas starting together migrate one at a time; or null.</summary>
    public virtual string? MigrationLockSql => null;

    /// <summary>
    /// Suffix that locks the selected rows against deletion until commit (empty where writers are serialized), without
    /// conflicting with updates of non-key columns such as access times.
    /// </summary>
    public abstract string ForShare { get; }

    /// <summary>Suffix that locks the selected rows of table alias <paramref name="alias"/> for update.</summary>
    public abstract string ForUpdateOf(string alias);

    /// <summary>
    /// Suffix that locks the selected rows of table alias <paramref name="alias"/> as an update of non-key columns does
    /// (so inserts that reference them are not blocked). With an <c>ORDER BY</c> the rows are locked in that order,
    /// which is how transactions that change several rows of a table take them in one order and never deadlock.
    /// </summary>
    public abstract string ForNoKeyUpdateOf(string alias);

    /// <summary>
    /// Run first in a commit, with the cache id (<c>$1</c>, an integer) and the hash part (<c>$2</c>): makes concurrent
    /// commits of one path wait for each other before they lock anything, or null where writers are serialized anyway.
    /// </summary>
    public virtual string? PathCommitLockSql => null;

    /// <summary>Suffix for an <c>ORDER BY</c> of text that sorts it byte-wise, as <see cref="StringComparer.Ordinal"/> does ASCII.</summary>
    public abstract string OrdinalCollation { get; }

    /// <summary>
    /// Whether a path's group is read with one recursive query over <c>path_refs</c> rather than one query per level
    /// (worth it where each query is a network round trip; SQLite's planner scans the table at each recursive step).
    /// </summary>
    public virtual bool ReadsGroupsRecursively => true;

    /// <summary>The two-argument maximum function (<c>MAX</c> or <c>GREATEST</c>).</summary>
    public abstract string Greatest { get; }

    /// <summary>
    /// The name part of a path's store path (after <c>&lt;hash&gt;-</c>), as the <c>paths_by_name</c> index holds it,
    /// compared byte-wise (so a prefix is a range).
    /// </summary>
    public abstract string PathNameSql(string alias);

    /// <summary>
    /// A FROM item named <paramref name="alias"/> with columns <c>h</c> (each string of the <see cref="TextSet"/> bound
    /// to <c>$<paramref name="parameter"/></c>) and <c>i</c> (its position, ascending in input order).
    /// </summary>
    public abstract string TextSetSource(int parameter, string alias);

    /// <summary>Of the hash parts in <c>$2</c> (a <see cref="TextSet"/>), those cache <c>$1</c> lacks, in input order.</summary>
    public abstract string MissingPathsSql { get; }

    /// <summary>
    /// Adds the rows of <c>cache_stat_deltas</c> to their caches' <c>cache_stats</c> rows and deletes them, counting
    /// each row exactly once however many replicas fold at the same time.
    /// </summary>
    public abstract string FoldCacheStatsSql { get; }

    /// <summary>Whether commands are prepared once and kept on their connection.</summary>
    public abstract bool PreparesCommands { get; }

    /// <summary>Whether an idempotent operation that found the database unavailable is tried once more.</summary>
    public abstract bool RetriesWhenUnavailable { get; }

    /// <summary>
    /// Whether concurrent writes share one transaction and one commit (group commit): worth it where writers take
    /// turns anyway and each commit waits for the disk.
    /// </summary>
    public virtual bool GroupsCommits => false;

    /// <summary>
    /// Whether a transaction's statements whose results nobody reads are held back and sent together with the next
    /// statement or the commit, in one round trip (<see cref="DbSession.DeferAsync"/>): worth it where every statement
    /// is a round trip to a server.
    /// </summary>
    public virtual bool BatchesStatements => false;

    /// <summary>A session on an open connection (pooled or new).</summary>
    public abstract ValueTask<DbSession> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Takes back a session that completed its work without error.</summary>
    public abstract void Return(DbSession session);

    /// <summary>
    /// Starts a transaction that writes: it holds whatever makes checks and writes of concurrent writers not
    /// interleave (SQLite's write lock; PostgreSQL relies on row locks under READ COMMITTED).
    /// Every successful call is paired with one <see cref="EndWrite"/>.
    /// </summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Releases what <see cref="BeginWriteAsync"/> took, after commit or rollback.</summary>
    public virtual void EndWrite()
    {
    }

    /// <summary>A parameter for <c>$<paramref name="index"/>+1</c>.</summary>
    public abstract DbParameter CreateParameter(int index);

    /// <summary>A value as this database stores it (times, lists, <see cref="TextSet"/>, null).</summary>
    public abstract object ToDb(object? value);

    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public abstract IReadOnlyList<string> ReadList(DbDataReader reader, int ordinal);

    public abstract bool IsUniqueViolation(Exception e);

    /// <summary>Whether <paramref name="e"/> means the database could not be reached or failed transiently (not a bug in a query).</summary>
    public abstract bool IsUnavailable(Exception e);

    /// <summary>Whether <paramref name="e"/> is a conflict between concurrent transactions that a rerun resolves.</summary>
    public abstract bool IsRetryable(Exception e);

    /// <summary>Called after the unavailable error <paramref name="e"/>, e.g. to drop pooled connections that a restart killed.</summary>
    public virtual void OnUnavailable(Exception e)
    {
    }

    /// <summary>Tells the other replicas about a serving change (see <see cref="IMetadataStore.PublishServingChangeAsync"/>); nothing by default.</summary>
    public virtual Task PublishServingChangeAsync(string notice, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A statement (parameter <c>$1</c>, the notice) that publishes a serving change when its transaction commits, or
    /// null where there is no other replica to tell.
    /// </summary>
    public virtual string? PublishServingChangeSql => null;

    /// <summary>
    /// Hears serving changes (see <see cref="IMetadataStore.ListenForServingChangesAsync"/>). By default there is no
    /// other replica: listening at once, and hearing nothing until cancelled.
    /// </summary>
    public virtual async Task ListenForServingChangesAsync(Action onListening, Action<string> onNotice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onListening);
        onListening();
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The exception callers see for an unavailable database.</summary>
    public abstract MetadataUnavailableException Unavailable(Exception e);

    public abstract void Dispose();
}
