using Larder.Server.Metadata;
using Larder.Server.Metadata.Sqlite;
using Larder.Testing;

namespace Larder.Server.Tests.Metadata;

/// <summary>The conformance suite on SQLite, each test with its own database file.</summary>
public sealed class SqliteMetadataStoreTests : MetadataStoreConformance, IDisposable
{
    private readonly TempDirectory _dir = new("larder-sqlite");
    private readonly List<SqliteMetadataStore> _stores = [];

    protected override async Task<IMetadataStore> CreateStoreAsync()
    {
        var store = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, $"{_stores.Count}.db"));
        _stores.Add(store);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task Migrations_are_recorded_in_schema_migrations()
    {
        var store = (SqliteMetadataStore)await CreateStoreAsync();
        await store.MigrateAsync(CancellationToken.None);
        Assert.Equal([1, 2, 3], await store.GetAppliedMigrationsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_second_store_on_the_same_file_sees_committed_data()
    {
        var path = Path.Combine(_dir.Path, "shared.db");
        using var writer = SqliteMetadataStore.ForFile(path);
        using var reader = SqliteMetadataStore.ForFile(path);
        await writer.MigrateAsync(CancellationToken.None);
        await reader.MigrateAsync(CancellationToken.None);
        var cache = await writer.CreateCacheAsync(MetadataSamples.Cache(), CancellationToken.None);
        var commit = MetadataSamples.Commit(cache.Id);
        await writer.CommitNewAsync(commit, CancellationToken.None);

        Assert.NotNull(await reader.GetPathAsync(cache.Id, commit.HashPart, CancellationToken.None));
    }

    [Fact]
    public async Task An_unopenable_database_is_reported_as_unavailable()
    {
        using var store = SqliteMetadataStore.ForFile(Path.Combine(_dir.Path, "no-such-dir", "x.db"));
        await Assert.ThrowsAsync<MetadataUnavailableException>(() => store.MigrateAsync(CancellationToken.None));
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
        _dir.Dispose();
    }
}
