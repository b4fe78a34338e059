using Larder.Server.Metadata;
using static Larder.Server.Tests.Metadata.MetadataSamples;

namespace Larder.Server.Tests.Metadata;

/// <summary>Path search by hash or name prefix and direct dependents, as the dashboard uses them, on each backend.</summary>
public abstract partial class MetadataStoreConformance
{
    private static async Task<CommitRequest> CommitNamedAsync(IMetadataStore store, long cacheId, string name, params CommitRequest[] references)
    {
        var request = Commit(cacheId, references: [.. references.Select(r => BaseName(r.HashPart, "x"))]);
        request = request with { StorePath = $"/nix/store/{request.HashPart}-{name}" };
        await store.CommitNewAsync(request, Ct);
        return request;
    }

    [Fact]
    public async Task Name_prefix_search_finds_exactly_the_paths_whose_name_starts_with_it_in_name_order()
    {
        var store = await CreateStoreAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var other = await store.CreateCacheAsync(Cache(), Ct);
        var hello2 = await CommitNamedAsync(store, cache.Id, "hello-2.12");
        var hello1 = await CommitNamedAsync(store, cache.Id, "hello-1.0");
        await CommitNamedAsync(store, cache.Id, "say-hello-1.0");
        await CommitNamedAsync(store, cache.Id, "help-3");
        await CommitNamedAsync(store, other.Id, "hello-9");

        var found = await store.FindPathsByNamePrefixAsync(cache.Id, "hello", 10, Ct);
        var limited = await store.FindPathsByNamePrefixAsync(cache.Id, "hel", 2, Ct);

        Assert.Equal([hello1.HashPart, hello2.HashPart], found.Select(p => p.HashPart));
        Assert.Equal(hello1.StorePath, found[0].StorePath);
        Assert.Equal(2, limited.Count);
        Assert.Empty(await store.FindPathsByNamePrefixAsync(cache.Id, "hellp", 10, Ct));
    }

    [Fact]
    public async Task Paths_list_by_name_then_hash_in_pages_that_continue_after_the_last_one()
    {
        var store = await CreateStoreAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var other = await store.CreateCacheAsync(Cache(), Ct);
        var paths = new List<CommitRequest>();
        foreach (var name in new[] { "b-1", "a-2", "b-1", "c", "a-10", "b-1" })
        {
            paths.Add(await CommitNamedAsync(store, cache.Id, name));
        }
        await CommitNamedAsync(store, other.Id, "a-0");
        var expected = paths.OrderBy(p => p.StorePath[44..], StringComparer.Ordinal).ThenBy(p => p.HashPart, StringComparer.Ordinal).ToList();

        var first = await store.ListPathsByNameAsync(cache.Id, "", "", 3, Ct);
        var second = await store.ListPathsByNameAsync(cache.Id, first[^1].StorePath[44..], first[^1].HashPart, 3, Ct);
        var after = await store.ListPathsByNameAsync(cache.Id, second[^1].StorePath[44..], second[^1].HashPart, 3, Ct);

        Assert.Equal(expected.Select(p => p.HashPart), first.Concat(second).Select(p => p.HashPart));
        Assert.Equal(["a-10", "a-2", "b-1"], first.Select(p => p.StorePath[44..]));
        Assert.Empty(after);
    }

    [Fact]
    public async Task Hash_prefix_search_and_direct_dependents_stay_within_the_cache()
    {
        var store = await CreateStoreAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var other = await store.CreateCacheAsync(Cache(), Ct);
        var library = await CommitNamedAsync(store, cache.Id, "lib");
        var app = await CommitNamedAsync(store, cache.Id, "app", library);
        var tool = await CommitNamedAsync(store, cache.Id, "tool", app);
        await CommitNamedAsync(store, other.Id, "elsewhere");

        var byHash = await store.FindPathsByHashPrefixAsync(cache.Id, app.HashPart[..6], 10, Ct);
        var dependents = await store.ListDirectDependentsAsync(cache.Id, library.HashPart, 10, Ct);

        Assert.Contains(byHash, p => p.HashPart == app.HashPart);
        Assert.All(byHash, p => Assert.StartsWith(app.HashPart[..6], p.HashPart, StringComparison.Ordinal));
        Assert.Equal([app.HashPart], dependents.Select(p => p.HashPart));
        Assert.DoesNotContain(dependents, p => p.HashPart == tool.HashPart);
        Assert.Empty(await store.FindPathsByHashPrefixAsync(other.Id, app.HashPart, 10, Ct));
    }

    [Fact]
    public async Task Direct_dependents_beyond_the_limit_are_the_first_by_hash()
    {
        var store = await CreateStoreAsync();
        var cache = await store.CreateCacheAsync(Cache(), Ct);
        var library = await CommitNamedAsync(store, cache.Id, "glibc");
        var users = new List<CommitRequest>();
        for (var i = 0; i < 5; i++)
        {
            users.Add(await CommitNamedAsync(store, cache.Id, $"user-{i}", library));
        }

        var dependents = await store.ListDirectDependentsAsync(cache.Id, library.HashPart, 3, Ct);

        Assert.Equal(users.Select(u => u.HashPart).Order(StringComparer.Ordinal).Take(3), dependents.Select(p => p.HashPart));
    }
}
