using Larder.Server.Storage.Inline;

namespace Larder.Server.Tests.Storage.Inline;

/// <summary>The bounded memory of recently used inline blobs.</summary>
public sealed class InlineBlobCacheTests
{
    [Fact]
    public void The_least_recently_used_blobs_go_first_once_the_bytes_exceed_the_capacity()
    {
        var cache = new InlineBlobCache(capacity: 30);
        cache.Add("inline/a", new byte[10]);
        cache.Add("inline/b", new byte[10]);
        cache.Add("inline/c", new byte[10]);
        Assert.NotNull(cache.Get("inline/a"));

        cache.Add("inline/d", new byte[10]);

        Assert.Null(cache.Get("inline/b"));
        Assert.All(new[] { "inline/a", "inline/c", "inline/d" }, key => Assert.NotNull(cache.Get(key)));
    }

    [Fact]
    public void A_removed_blob_is_not_answered_and_frees_its_bytes()
    {
        var cache = new InlineBlobCache(capacity: 20);
        cache.Add("inline/a", new byte[10]);
        cache.Add("inline/b", new byte[10]);

        cache.Remove("inline/a");
        cache.Add("inline/c", new byte[10]);

        Assert.Null(cache.Get("inline/a"));
        Assert.NotNull(cache.Get("inline/b"));
        Assert.NotNull(cache.Get("inline/c"));
    }

    [Fact]
    public void A_blob_larger_than_the_capacity_is_not_kept()
    {
        var cache = new InlineBlobCache(capacity: 20);
        cache.Add("inline/a", new byte[10]);

        cache.Add("inline/big", new byte[21]);

        Assert.Null(cache.Get("inline/big"));
        Assert.NotNull(cache.Get("inline/a"));
    }
}
