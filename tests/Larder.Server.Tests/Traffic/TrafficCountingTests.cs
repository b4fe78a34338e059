using System.Net;
using Larder.Server.Metadata;
using Larder.Server.Tests.BinaryCache;
using Larder.Server.Traffic;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Tests.Traffic;

/// <summary>What each kind of request adds to a cache's hourly traffic, and that two recorders (as on two replicas) add up.</summary>
public sealed class TrafficCountingTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    [Fact]
    public async Task Narinfos_answered_from_memory_count_as_hits_missing_ones_as_misses_and_only_nar_gets_as_downloads()
    {
        var (cache, cacheId, path) = await CacheWithPathAsync();
        using var anonymous = App.CreateClient();
        var narInfo = $"{cache}/{path.HashPart}.narinfo";

        for (var i = 0; i < 3; i++)
        {
            // The first answer fills the narinfo memory; the next two come from it, before routing.
            (await anonymous.GetAsync(narInfo)).EnsureSuccessStatusCode();
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{cache}/{PushedPath.RandomHashPart()}.narinfo")).StatusCode);
        (await anonymous.GetAsync($"{cache}/{path.UploadUrl}")).EnsureSuccessStatusCode();
        using (var head = new HttpRequestMessage(HttpMethod.Head, $"{cache}/{path.UploadUrl}"))
        {
            (await anonymous.SendAsync(head)).EnsureSuccessStatusCode();
        }
        using (var range = new HttpRequestMessage(HttpMethod.Get, $"{cache}/{path.UploadUrl}"))
        {
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 9);
            Assert.Equal(HttpStatusCode.PartialContent, (await anonymous.SendAsync(range)).StatusCode);
        }
        await App.Services.GetRequiredService<TrafficRecorder>().FlushAsync(CancellationToken.None);

        var total = await TrafficTotals.LastDayAsync(App, cacheId);
        Assert.Equal(new TrafficHour(default, 3, 1, 2, path.Body.Length + 10), total);
    }

    [Fact]
    public async Task Two_recorders_flushing_to_one_database_add_up()
    {
        var (_, cacheId, _) = await CacheWithPathAsync();
        var one = new TrafficRecorder(App.Metadata, TimeProvider.System);
        var two = new TrafficRecorder(App.Metadata, TimeProvider.System);

        one.NarInfo(cacheId, hit: true);
        two.NarInfo(cacheId, hit: true);
        two.NarInfo(cacheId, hit: false);
        one.Nar(cacheId, 100);
        two.Nar(cacheId, 50);
        await Task.WhenAll(one.FlushAsync(CancellationToken.None), two.FlushAsync(CancellationToken.None));
        await one.FlushAsync(CancellationToken.None);

        Assert.Equal(new TrafficHour(default, 2, 1, 2, 150), await TrafficTotals.LastDayAsync(App, cacheId));
    }

    private async Task<(string Name, long CacheId, PushedPath Path)> CacheWithPathAsync()
    {
        var name = "traffic-" + Guid.NewGuid().ToString("N")[..8];
        await App.CreateCacheAsync(name, isPublic: true);
        using var admin = App.CreateClient(App.AdminToken);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(admin, name);
        var cacheId = (await App.Metadata.GetCacheAsync(name, CancellationToken.None))!.Id;
        return (name, cacheId, path);
    }
}
