using Larder.Server.Metadata;
using Larder.Server.Metadata.Relational;
using Larder.Server.Metadata.Sqlite;
using Larder.Testing;
using Microsoft.Data.Sqlite;

namespace Larder.Server.Tests.Metadata;

/// <summary>
/// Group commit on SQLite: writes that arrive while the database's write lock is taken share the next transaction and
/// its one sync to disk; each is answered only after that commit, and a write that fails or is refused undoes only
/// its own changes. The lock is held by a second dialect on the same file, as another store of the process would.
/// </summary>
public sealed class SqliteGroupCommitTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDirectory _dir = new("larder-group-commit");

    [Fact]
    public async Task Commits_waiting_for_the_write_lock_share_one_transaction_and_are_answered_only_after_it()
    {
        var (store, reader, cache, path) = await CreateAsync();
        using (store)
        using (reader)
        {
            var requests = Enumerable.Range(0, 20).Select(_ => MetadataSamples.Commit(cache.Id)).ToList();
            await AnnounceAsync(store, requests);
            long commitsBefore;
            List<Task<CommitResult>> commits;
            await using (await HoldWriteLockAsync(path))
            {
                commitsBefore = store.CommitCount;
                commits = requests.Select(request => store.CommitPathAsync(request, Ct)).ToList();
                await Task.Delay(200);
                Assert.All(commits, commit => Assert.False(commit.IsCompleted));
            }
            // Each caller, once answered, finds its path committed (read through another connection).
            var visible = commits.Zip(requests, async (commit, request) =>
            {
                await commit;
                return await reader.GetPathAsync(cache.Id, request.HashPart, Ct) is not null;
            }).ToList();

            Assert.All(await Task.WhenAll(commits), result => Assert.Equal(CommitOutcome.Committed, result.Outcome));
            Assert.All(await Task.WhenAll(visible), Assert.True);
            Assert.Equal(commitsBefore + 1, store.CommitCount);
        }
    }

    [Fact]
    public async Task A_write_that_fails_or_is_refused_in_a_group_undoes_only_its_own_changes()
    {
        var (store, reader, cache, path) = await CreateAsync();
        using (store)
        using (reader)
        {
            var first = MetadataSamples.Commit(cache.Id);
            var noSuchCache = MetadataSamples.Commit(cache.Id + 1000);
            var missingReference = MetadataSamples.Commit(cache.Id, references: [MetadataSamples.BaseName(MetadataSamples.HashPart())]);
            var last = MetadataSamples.Commit(cache.Id);
            await AnnounceAsync(store, [first, noSuchCache, missingReference, last]);
            Task<CommitResult>[] commits;
            await using (await HoldWriteLockAsync(path))
            {
                commits = [.. new[] { first, noSuchCache, missingReference, last }.Select(request => store.CommitPathAsync(request, Ct))];
            }

            Assert.Equal(CommitOutcome.Committed, (await commits[0]).Outcome);
            await Assert.ThrowsAnyAsync<Exception>(() => commits[1]);
            Assert.Equal(CommitOutcome.MissingReferences, (await commits[2]).Outcome);
            Assert.Equal(CommitOutcome.Committed, (await commits[3]).Outcome);
            Assert.NotNull(await reader.GetPathAsync(cache.Id, first.HashPart, Ct));
            Assert.NotNull(await reader.GetPathAsync(cache.Id, last.HashPart, Ct));
            Assert.Null(await reader.GetPathAsync(cache.Id, missingReference.HashPart, Ct));
            // The failed commit's NAR row went in before its path failed: rolled back with it.
            Assert.Null(await reader.GetNarByNarHashAsync(noSuchCache.Nar.NarHash, Ct));
            Assert.Null(await reader.GetNarByNarHashAsync(missingReference.Nar.NarHash, Ct));
        }
    }

    [Fact]
    public async Task A_commit_whose_transaction_cannot_begin_fails_with_the_database_error_and_the_next_commit_works()
    {
        var (store, reader, cache, path) = await CreateAsync();
        using (store)
        using (reader)
        {
            var refused = MetadataSamples.Commit(cache.Id);
            var later = MetadataSamples.Commit(cache.Id);
            await AnnounceAsync(store, [refused, later]);
            Task<CommitResult> commit;
            // SQLite's own lock, taken outside this process's write turn: the store's BEGIN gives up after its busy
            // timeout (10 s) without having taken any write, and that write must be answered with the failure.
            await using (var other = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await other.OpenAsync();
                await using (var begin = other.CreateCommand())
                {
                    begin.CommandText = "BEGIN EXCLUSIVE;";
                    await begin.ExecuteNonQueryAsync();
                }
                commit = store.CommitPathAsync(refused, Ct);
                // A bound against a hang (the write was once left queued with no transaction to take it), not a timing.
                await Assert.ThrowsAsync<MetadataUnavailableException>(() => commit.WaitAsync(TimeSpan.FromMinutes(2)));
                await using var rollback = other.CreateCommand();
                rollback.CommandText = "ROLLBACK;";
                await rollback.ExecuteNonQueryAsync();
            }

            Assert.Null(await reader.GetPathAsync(cache.Id, refused.HashPart, Ct));
            Assert.Equal(CommitOutcome.Committed, (await store.CommitPathAsync(later, Ct)).Outcome);
            Assert.NotNull(await reader.GetPathAsync(cache.Id, later.HashPart, Ct));
        }
    }

    private async Task<(SqliteMetadataStore Store, SqliteMetadataStore Reader, CacheRecord Cache, string Path)> CreateAsync()
    {
        var path = Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db");
        var store = SqliteMetadataStore.ForFile(path);
        await store.MigrateAsync(Ct);
        var cache = await store.CreateCacheAsync(MetadataSamples.Cache(), Ct);
        return (store, SqliteMetadataStore.ForFile(path), cache, path);
    }

    private static async Task AnnounceAsync(IMetadataStore store, IEnumerable<CommitRequest> requests)
    {
        var keys = requests.SelectMany(r => r.Nar.Chunks.Select(c => c.StorageKey).Append(r.Nar.ListingKey!)).ToList();
        await store.RecordBlobIntentsAsync(keys, MetadataSamples.T0.AddHours(1), Ct);
    }

    /// <summary>Takes the file's write lock (this process's and SQLite's) until disposed, which commits and releases it.</summary>
    private static async Task<HeldLock> HoldWriteLockAsync(string path)
    {
        var dialect = new SqliteDialect($"Data Source={path}");
        var session = await dialect.OpenAsync(Ct);
        await session.BeginWriteAsync(Ct);
        return new HeldLock(dialect, session);
    }

    private sealed class HeldLock(SqliteDialect dialect, DbSession session) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await session.CommitAsync(Ct);
            session.Dispose();
            dialect.Dispose();
        }
    }

    public void Dispose() => _dir.Dispose();
}
