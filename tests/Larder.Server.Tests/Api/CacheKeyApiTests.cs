using System.Net;
using System.Text;
using Larder.Contracts;
using Larder.Contracts.Caches;
using Larder.Contracts.Tokens;
using Larder.Nix.Signing;
using Larder.Server.Api;
using Larder.Server.Tests.BinaryCache;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.Api;

public sealed class CacheKeyApiTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Rotating_re_signs_every_path_with_the_new_key_only_keeping_the_pushers_signatures()
    {
        var cache = await App.CreateCacheAsync($"rotate-{Guid.NewGuid():N}"[..20]);
        using var admin = App.CreateClient(App.AdminToken);
        var pusherKey = SecretKey.Generate("pusher-1");
        var paths = new List<PushedPath>();
        for (var i = 0; i < 3; i++)
        {
            var path = await PushedPath.CreateAsync();
            path = path.With(path.Info.Sign(pusherKey));
            await path.PushAsync(admin, cache.Name);
            paths.Add(path);
        }

        var result = await ApiAssert.OkAsync(
            await admin.PutAsync($"api/v1/caches/{cache.Name}/signing-key", Json("""{"generate": true}""")), LarderJsonContext.Default.SigningKeyDto);

        var newKey = PublicKey.Parse(result.PublicKey);
        var oldKey = PublicKey.Parse(cache.PublicKey);
        Assert.Equal($"{cache.Name}-2", newKey.Name);
        Assert.Equal(3, result.ResignedPaths);
        foreach (var path in paths)
        {
            var served = NarInfoRecord.Parse(await admin.GetStringAsync($"{cache.Name}/{path.HashPart}.narinfo"));
            Assert.Equal([newKey.Name, "pusher-1"], served.ValidSignatureKeyNames([newKey, oldKey, pusherKey.PublicKey]));
            Assert.Equal(2, served.Signatures.Count);
        }
        var shown = await ApiAssert.OkAsync(await admin.GetAsync($"api/v1/caches/{cache.Name}"), LarderJsonContext.Default.CacheDto);
        Assert.Equal(result.PublicKey, shown.PublicKey);
    }

    [Fact]
    public async Task An_imported_key_signs_new_pushes_and_is_never_answered()
    {
        var cache = await App.CreateCacheAsync($"import-{Guid.NewGuid():N}"[..20]);
        using var admin = App.CreateClient(App.AdminToken);
        var imported = SecretKey.Generate("team-cache-7");

        using var response = await admin.PutAsync(
            $"api/v1/caches/{cache.Name}/signing-key", Json($$"""{"secretKey": "{{imported}}\n"}"""));
        var body = await response.Content.ReadAsStringAsync();
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(admin, cache.Name);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(imported.ToString().Split(':')[1], body, StringComparison.Ordinal);
        Assert.Contains(imported.PublicKey.ToString(), body, StringComparison.Ordinal);
        var served = NarInfoRecord.Parse(await admin.GetStringAsync($"{cache.Name}/{path.HashPart}.narinfo"));
        Assert.Equal(["team-cache-7"], served.ValidSignatureKeyNames([imported.PublicKey]));
    }

    [Theory]
    [InlineData("""{"secretKey": "k-1:bm90IGEga2V5IGF0IGFsbA=="}""", "is 16 bytes")]
    [InlineData("""{"secretKey": "k-1:***secret-garbage***"}""", "not valid base64")]
    [InlineData("""{"secretKey": "no-colon-secret-garbage"}""", "not of the form")]
    [InlineData("""{"secretKey": "k-1:abc=", "generate": true}""", "either")]
    [InlineData("""{}""", "either")]
    public async Task Bad_keys_are_refused_naming_the_problem_without_echoing_the_secret(string json, string problem)
    {
        var cache = await App.CreateCacheAsync($"badkey-{Guid.NewGuid():N}"[..20]);
        using var admin = App.CreateClient(App.AdminToken);

        var message = await ApiAssert.ErrorAsync(
            await admin.PutAsync($"api/v1/caches/{cache.Name}/signing-key", Json(json)), HttpStatusCode.BadRequest, problem);

        Assert.DoesNotContain("garbage", message, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90IGEga2V5", message, StringComparison.Ordinal);
        var shown = await ApiAssert.OkAsync(await admin.GetAsync($"api/v1/caches/{cache.Name}"), LarderJsonContext.Default.CacheDto);
        Assert.Equal(cache.PublicKey, shown.PublicKey);
    }

    [Fact]
    public async Task Only_admins_of_the_cache_may_replace_its_key()
    {
        var cache = await App.CreateCacheAsync($"keyacl-{Guid.NewGuid():N}"[..20]);
        var (writer, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        using var client = App.CreateClient(writer);

        await ApiAssert.ErrorAsync(
            await client.PutAsync($"api/v1/caches/{cache.Name}/signing-key", Json("""{"generate": true}""")), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("main", "main-1", "main-2")]
    [InlineData("main", "main-9", "main-10")]
    [InlineData("main", "imported-key", "main-2")]
    [InlineData("main", "main-x", "main-2")]
    public void The_next_generated_key_name_counts_up(string cache, string current, string next) =>
        Assert.Equal(next, CacheKeyApi.NextKeyName(cache, current));
}
