using System.Net;
using System.Text;
using Larder.Contracts;
using Larder.Contracts.Caches;
using Larder.Contracts.Paths;
using Larder.Contracts.Tokens;
using Larder.Server.Maintenance.Reaping;
using Larder.Server.Storage;
using Larder.Server.Tests.BinaryCache;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Tests.Api.Paths;

/// <summary>Path deletion, path info with the eviction forecast, and the GC endpoint, over HTTP.</summary>
public sealed class PathApiTests : IAsyncLifetime
{
    private LarderApplication _app = null!;

    public async Task InitializeAsync() =>
        _app = await LarderApplication.StartAsync(args: ["--Larder:Maintenance:ReleaseGrace=00:00:00.001"]);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>A chain pushed to <paramref name="cache"/>: each path references the one before.</summary>
    private async Task<List<PushedPath>> PushChainAsync(string cache, int length)
    {
        using var client = _app.CreateClient(_app.AdminToken);
        var chain = new List<PushedPath>();
        for (var i = 0; i < length; i++)
        {
            var path = await PushedPath.CreateAsync(references: chain.Count == 0 ? [] : [chain[^1].Info.StorePath.BaseName], name: $"chain-{i}");
            await path.PushAsync(client, cache);
            chain.Add(path);
        }
        return chain;
    }

    /// <summary>A new cache holding a pushed chain of <paramref name="length"/>, configured with <paramref name="settings"/> (JSON).</summary>
    private async Task<(string Cache, List<PushedPath> Chain)> ConfiguredChainAsync(string prefix, int length, string settings)
    {
        var cache = Unique(prefix);
        await _app.CreateCacheAsync(cache);
        var chain = await PushChainAsync(cache, length);
        using var client = _app.CreateClient(_app.AdminToken);
        (await client.PatchAsync($"api/v1/caches/{cache}", new StringContent(settings, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        return (cache, chain);
    }

    private async Task<HttpStatusCode> NarInfoStatusAsync(string cache, PushedPath path)
    {
        using var client = _app.CreateClient(_app.AdminToken);
        using var response = await client.GetAsync($"{cache}/{path.HashPart}.narinfo");
        return response.StatusCode;
    }

    private async Task<bool> BlobExistsAsync(string key) =>
        await _app.Services.GetRequiredService<IBlobStore>().GetSizeAsync(key, CancellationToken.None) is not null;

    private async Task ReapAsync()
    {
        var reaper = _app.Services.GetRequiredService<Reaper>();
        for (var pass = 0; pass < 3; pass++)
        {
            await Task.Delay(20);
            await reaper.RunOnceAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Delete_of_a_referenced_path_is_409_naming_its_dependents_and_keeps_everything()
    {
        var cache = Unique("del");
        await _app.CreateCacheAsync(cache);
        var chain = await PushChainAsync(cache, 3);
        using var client = _app.CreateClient(_app.AdminToken);

        using var response = await client.DeleteAsync($"api/v1/caches/{cache}/paths/{chain[0].HashPart}");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, chain[1].Info.StorePath.FullPath);
        Assert.All(chain, p => Assert.Equal(HttpStatusCode.OK, NarInfoStatusAsync(cache, p).Result));
    }

    [Fact]
    public async Task Recursive_delete_removes_the_path_with_its_dependents_then_404_and_the_blob_goes_after_reaping()
    {
        var cache = Unique("rec");
        await _app.CreateCacheAsync(cache);
        var chain = await PushChainAsync(cache, 3);
        var nar = await _app.Metadata.GetNarByNarHashAsync(chain[0].Info.NarHash.ToString(), CancellationToken.None);
        using var client = _app.CreateClient(_app.AdminToken);

        using var dry = await client.DeleteAsync($"api/v1/caches/{cache}/paths/{chain[0].HashPart}?recursive=true&dryRun=true");
        var planned = await ApiAssert.OkAsync(dry, PathJsonContext.Default.DeletePathsResultDto);
        Assert.Equal(HttpStatusCode.OK, await NarInfoStatusAsync(cache, chain[0]));
        using var response = await client.DeleteAsync($"api/v1/caches/{cache}/paths/{chain[0].HashPart}?recursive=true");
        var deleted = await ApiAssert.OkAsync(response, PathJsonContext.Default.DeletePathsResultDto);

        Assert.True(planned.DryRun);
        Assert.Equal(chain.Select(p => p.Info.StorePath.FullPath).Reverse(), planned.Deleted);
        Assert.Equal(planned.Deleted, deleted.Deleted);
        Assert.All(chain, p => Assert.Equal(HttpStatusCode.NotFound, NarInfoStatusAsync(cache, p).Result));
        using var again = await client.DeleteAsync($"api/v1/caches/{cache}/paths/{chain[0].HashPart}");
        await ApiAssert.ErrorAsync(again, HttpStatusCode.NotFound, chain[0].HashPart);
        var events = await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache}/events"), LarderJsonContext.Default.IReadOnlyListEventDto);
        Assert.Equal(3, events.Count(e => e.Kind == "delete" && e.Reason!.StartsWith("deleted by token ", StringComparison.Ordinal)));

        Assert.NotNull(nar);
        Assert.True(await BlobExistsAsync(nar.Chunks[0].BlobKey));
        await ReapAsync();
        Assert.False(await BlobExistsAsync(nar.Chunks[0].BlobKey));
    }

    [Fact]
    public async Task A_blob_another_cache_holds_stays_after_the_delete_and_goes_with_the_last_holder()
    {
        var first = Unique("one");
        var second = Unique("two");
        await _app.CreateCacheAsync(first);
        await _app.CreateCacheAsync(second);
        var path = await PushedPath.CreateAsync();
        using var client = _app.CreateClient(_app.AdminToken);
        await path.PushAsync(client, first);
        await path.PushAsync(client, second);
        var key = (await _app.Metadata.GetNarByNarHashAsync(path.Info.NarHash.ToString(), CancellationToken.None))!.Chunks[0].BlobKey;

        (await client.DeleteAsync($"api/v1/caches/{first}/paths/{path.HashPart}")).EnsureSuccessStatusCode();
        await ReapAsync();
        Assert.True(await BlobExistsAsync(key));
        Assert.Equal(HttpStatusCode.OK, await NarInfoStatusAsync(second, path));

        (await client.DeleteAsync($"api/v1/caches/{second}/paths/{path.HashPart}")).EnsureSuccessStatusCode();
        await ReapAsync();
        Assert.False(await BlobExistsAsync(key));
    }

    [Fact]
    public async Task Delete_and_gc_need_delete_permission()
    {
        var cache = Unique("perm");
        await _app.CreateCacheAsync(cache);
        var path = (await PushChainAsync(cache, 1))[0];
        var (reader, _) = await _app.CreateTokenAsync(new GrantDto(cache, ["read", "write"]));
        var (deleter, _) = await _app.CreateTokenAsync(new GrantDto(cache, ["read", "delete"]));
        using var readOnly = _app.CreateClient(reader);
        using var anonymous = _app.CreateClient();
        using var allowed = _app.CreateClient(deleter);

        await ApiAssert.ErrorAsync(await readOnly.DeleteAsync($"api/v1/caches/{cache}/paths/{path.HashPart}"), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await readOnly.PostAsync($"api/v1/caches/{cache}/gc", null), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await anonymous.DeleteAsync($"api/v1/caches/{cache}/paths/{path.HashPart}"), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, await NarInfoStatusAsync(cache, path));
        (await allowed.DeleteAsync($"api/v1/caches/{cache}/paths/{path.HashPart}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, await NarInfoStatusAsync(cache, path));
    }

    [Theory]
    [InlineData("not-a-hash", "", "invalid store path hash 'not-a-hash'")]
    [InlineData("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "", "invalid store path hash")]
    [InlineData("{hash}", "?recursive=maybe", "invalid recursive 'maybe'")]
    [InlineData("{hash}", "?dryRun=yes", "invalid dryRun 'yes'")]
    public async Task Delete_rejects_bad_input_with_400_naming_it(string hash, string query, string message)
    {
        var cache = Unique("bad");
        await _app.CreateCacheAsync(cache);
        var path = (await PushChainAsync(cache, 1))[0];
        using var client = _app.CreateClient(_app.AdminToken);

        using var response = await client.DeleteAsync($"api/v1/caches/{cache}/paths/{hash.Replace("{hash}", path.HashPart, StringComparison.Ordinal)}{query}");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, message);
        Assert.Equal(HttpStatusCode.OK, await NarInfoStatusAsync(cache, path));
    }

    [Fact]
    public async Task Delete_of_an_unknown_hash_is_404()
    {
        var cache = Unique("unk");
        await _app.CreateCacheAsync(cache);
        using var client = _app.CreateClient(_app.AdminToken);
        var hash = PushedPath.RandomHashPart();

        await ApiAssert.ErrorAsync(await client.DeleteAsync($"api/v1/caches/{cache}/paths/{hash}"), HttpStatusCode.NotFound, hash);
        await ApiAssert.ErrorAsync(await client.GetAsync($"api/v1/caches/{cache}/paths/{hash}"), HttpStatusCode.NotFound, hash);
    }

    [Theory]
    [InlineData("""{"retentionDays": 0}""", "invalid retention days 0")]
    [InlineData("""{"retentionDays": -3}""", "invalid retention days -3")]
    [InlineData("""{"maxSizeBytes": 0}""", "invalid max size 0")]
    [InlineData("""{"retentionDays": 5, "clearRetentionDays": true}""", "contradict")]
    [InlineData("""{"maxSizeBytes": "50G"}""", "invalid JSON body")]
    public async Task Configure_rejects_bad_retention_with_400(string body, string message)
    {
        var cache = Unique("cfg");
        await _app.CreateCacheAsync(cache);
        using var client = _app.CreateClient(_app.AdminToken);

        using var response = await client.PatchAsync($"api/v1/caches/{cache}", new StringContent(body, Encoding.UTF8, "application/json"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task Configure_sets_shows_and_clears_the_retention_policy()
    {
        var cache = Unique("pol");
        await _app.CreateCacheAsync(cache);
        using var client = _app.CreateClient(_app.AdminToken);

        using var set = await client.PatchAsync($"api/v1/caches/{cache}", new StringContent("""{"retentionDays": 30, "maxSizeBytes": 1000}""", Encoding.UTF8, "application/json"));
        var shown = await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache}"), LarderJsonContext.Default.CacheDto);
        using var cleared = await client.PatchAsync($"api/v1/caches/{cache}", new StringContent("""{"clearMaxSize": true}""", Encoding.UTF8, "application/json"));
        var after = await ApiAssert.OkAsync(cleared, LarderJsonContext.Default.CacheDto);

        Assert.Equal(new RetentionDto(30, 1000, 30, 1000, 60), (await ApiAssert.OkAsync(set, LarderJsonContext.Default.CacheDto)).Retention);
        Assert.Equal(new RetentionDto(30, 1000, 30, 1000, 60), shown.Retention);
        Assert.Equal(new RetentionDto(30, null, 30, null, 60), after.Retention);
    }

    [Fact]
    public async Task Path_info_tells_a_fresh_push_is_kept_and_names_what_references_a_path()
    {
        var (cache, chain) = await ConfiguredChainAsync("inf", 2, """{"retentionDays": 30}""");
        using var client = _app.CreateClient(_app.AdminToken);

        var info = await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache}/paths/{chain[0].HashPart}"), PathJsonContext.Default.PathInfoDto);

        Assert.Equal(chain[0].Info.StorePath.FullPath, info.StorePath);
        Assert.Equal(1, info.Dependents);
        Assert.Equal("scheduled", info.Eviction.Status);
        Assert.Contains(info.Eviction.Reasons, r => r.StartsWith("kept: pushed 0 minutes ago", StringComparison.Ordinal));
        Assert.Contains(info.Eviction.Reasons, r => r.StartsWith($"kept: referenced by {chain[1].Info.StorePath.FullPath}, pushed", StringComparison.Ordinal));
        Assert.Contains(info.Eviction.Reasons, r => r.StartsWith("eligible on ", StringComparison.Ordinal));
        Assert.True(info.Eviction.EligibleAt > DateTimeOffset.UtcNow.AddDays(29));
    }

    [Fact]
    public async Task Gc_endpoint_frees_what_the_policy_evicts_and_never_a_fresh_push()
    {
        var (cache, chain) = await ConfiguredChainAsync("gce", 2, """{"maxSizeBytes": 1}""");
        using var client = _app.CreateClient(_app.AdminToken);

        var result = await ApiAssert.OkAsync(await client.PostAsync($"api/v1/caches/{cache}/gc?dryRun=true", null), PathJsonContext.Default.GcResultDto);
        var real = await ApiAssert.OkAsync(await client.PostAsync($"api/v1/caches/{cache}/gc", null), PathJsonContext.Default.GcResultDto);

        Assert.True(result.DryRun);
        Assert.Equal(0, result.PathsEvicted);
        Assert.Equal(0, real.PathsEvicted);
        Assert.True(real.StoredBytesBefore > 1);
        Assert.All(chain, p => Assert.Equal(HttpStatusCode.OK, NarInfoStatusAsync(cache, p).Result));
    }

    [Fact]
    public async Task A_path_the_gc_evicts_stops_being_served_at_once_though_its_narinfo_was_remembered()
    {
        await using var app = await LarderApplication.StartAsync(args: ["--Larder:Retention:RecentPushProtection=00:00:00"]);
        var cache = Unique("gcm");
        await app.CreateCacheAsync(cache, isPublic: true);
        using var admin = app.CreateClient(app.AdminToken);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(admin, cache);
        using var anonymous = app.CreateClient();
        var url = $"{cache}/{path.HashPart}.narinfo";
        await BinaryCacheAssert.SuccessAsync(await anonymous.GetAsync(url));
        await BinaryCacheAssert.SuccessAsync(await anonymous.GetAsync(url));
        (await admin.PatchAsync($"api/v1/caches/{cache}", new StringContent("""{"maxSizeBytes": 1}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var result = await ApiAssert.OkAsync(await admin.PostAsync($"api/v1/caches/{cache}/gc", null), PathJsonContext.Default.GcResultDto);

        Assert.Equal(1, result.PathsEvicted);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(url)).StatusCode);
    }
}
