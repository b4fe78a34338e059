using System.Net;
using System.Text;
using Larder.Contracts.Tokens;
using Larder.Server.BinaryCache.Serving;
using Larder.Server.Tests.ScaleOut;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>
/// Two in-process replicas on one PostgreSQL database and one blob folder: a change made through one replica reaches
/// the other's remembered narinfo answers through PostgreSQL's NOTIFY, well within <see cref="NarInfoMemory.MaxAge"/>.
/// </summary>
public sealed class NarInfoMemoryReplicaTests
{
    [Fact]
    public async Task A_path_pushed_through_one_replica_after_misses_on_the_other_is_served_there_within_the_bound()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var (cache, writer) = await replicas.PublicCacheOnAAsync();
        using var readerB = replicas.B.CreateClient();
        var path = await PushedPath.CreateAsync();
        var url = $"{cache}/{path.HashPart}.narinfo";
        Assert.Equal(HttpStatusCode.NotFound, (await readerB.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await readerB.GetAsync(url)).StatusCode);

        await path.PushAsync(writer, cache);

        Assert.True(await SeenWithinAsync(readerB, url, HttpStatusCode.OK), $"replica B still answers 404 for {url} after {TwoReplicas.NoticeBound}");
    }

    [Fact]
    public async Task A_cache_made_private_through_one_replica_stops_anonymous_answers_on_the_other_within_the_bound()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var (cache, writer) = await replicas.PublicCacheOnAAsync();
        using var anonymousB = replicas.B.CreateClient();
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(writer, cache);
        var url = $"{cache}/{path.HashPart}.narinfo";
        await BinaryCacheAssert.SuccessAsync(await anonymousB.GetAsync(url));
        await BinaryCacheAssert.SuccessAsync(await anonymousB.GetAsync(url));

        using var admin = replicas.A.CreateClient(replicas.A.AdminToken);
        using var content = new StringContent("""{"public": false}""", Encoding.UTF8, "application/json");
        (await admin.PatchAsync($"api/v1/caches/{cache}", content)).EnsureSuccessStatusCode();

        Assert.True(await SeenWithinAsync(anonymousB, url, HttpStatusCode.Unauthorized), $"replica B still serves {url} anonymously after {TwoReplicas.NoticeBound}");
    }

    [Fact]
    public async Task A_token_revoked_through_one_replica_stops_reading_a_private_cache_on_the_other_within_the_bound()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var cache = await replicas.A.CreateCacheAsync("rep-" + Guid.NewGuid().ToString("N")[..16], isPublic: false);
        var (writerSecret, _) = await replicas.A.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        using var writer = replicas.A.CreateClient(writerSecret);
        var (readerSecret, readerId) = await replicas.A.CreateTokenAsync(new GrantDto(cache.Name, ["read"]));
        using var readerB = replicas.B.CreateClient(readerSecret);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(writer, cache.Name);
        var url = $"{cache.Name}/{path.HashPart}.narinfo";
        await BinaryCacheAssert.SuccessAsync(await readerB.GetAsync(url));
        await BinaryCacheAssert.SuccessAsync(await readerB.GetAsync(url));

        using var admin = replicas.A.CreateClient(replicas.A.AdminToken);
        (await admin.DeleteAsync($"api/v1/tokens/{readerId}")).EnsureSuccessStatusCode();

        Assert.True(await SeenWithinAsync(readerB, url, HttpStatusCode.Unauthorized), $"replica B still serves {url} to a revoked token after {TwoReplicas.NoticeBound}");
    }

    [Fact]
    public async Task A_path_deleted_through_one_replica_stops_its_remembered_NAR_on_the_other_within_the_bound()
    {
        await using var replicas = await TwoReplicas.StartAsync();
        var (cache, writer) = await replicas.PublicCacheOnAAsync();
        using var readerB = replicas.B.CreateClient();
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(writer, cache);
        var narUrl = Larder.Nix.NarInfo.NarInfo.Parse(await readerB.GetStringAsync($"{cache}/{path.HashPart}.narinfo")).Url;
        await BinaryCacheAssert.SuccessAsync(await readerB.GetAsync($"{cache}/{narUrl}"));

        using var admin = replicas.A.CreateClient(replicas.A.AdminToken);
        (await admin.DeleteAsync($"api/v1/caches/{cache}/paths/{path.HashPart}")).EnsureSuccessStatusCode();

        Assert.True(await SeenWithinAsync(readerB, $"{cache}/{narUrl}", HttpStatusCode.NotFound), $"replica B still sends {narUrl} after {TwoReplicas.NoticeBound}");
    }

    private static Task<bool> SeenWithinAsync(HttpClient client, string url, HttpStatusCode expected) =>
        TwoReplicas.HoldsWithinNoticeBoundAsync(async () =>
        {
            using var response = await client.GetAsync(url);
            return response.StatusCode == expected;
        });
}
