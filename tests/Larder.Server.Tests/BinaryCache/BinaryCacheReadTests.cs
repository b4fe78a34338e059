using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Larder.Contracts.Tokens;
using Larder.Nix.Compression;
using Larder.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>The read side of the binary cache protocol over HTTP: what substituting Nix clients fetch.</summary>
public sealed class BinaryCacheReadTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    [Fact]
    public async Task Cache_info_announces_store_dir_mass_query_and_priority()
    {
        var cache = await App.CreateCacheAsync(NewName(), isPublic: true);
        using var client = App.CreateClient();

        using var response = await client.GetAsync($"{cache.Name}/nix-cache-info");

        await BinaryCacheAssert.SuccessAsync(response);
        Assert.Equal("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl?.Public);
    }

    [Fact]
    public async Task Narinfo_is_served_with_its_content_type_and_public_immutable_caching()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: true);
        using var client = App.CreateClient();

        using var response = await client.GetAsync($"{cache}/{path.HashPart}.narinfo");

        await BinaryCacheAssert.SuccessAsync(response);
        Assert.Equal("text/x-nix-narinfo", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.NotNull(response.Headers.CacheControl?.MaxAge);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith($"StorePath: {path.Info.StorePath.FullPath}\nURL: nar/", text);
        Assert.Contains("\nReferences: \n", text);
    }

    [Fact]
    public async Task Narinfo_head_has_the_length_and_no_body()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: true);
        using var client = App.CreateClient();
        var body = await client.GetByteArrayAsync($"{cache}/{path.HashPart}.narinfo");

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{cache}/{path.HashPart}.narinfo"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(body.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("{hash}.narinfo")]
    [InlineData("{hash}.ls")]
    [InlineData("nar/1111111111111111111111111111111111111111111111111111.nar.zst")]
    [InlineData("log/00000000000000000000000000000000-absent.drv")]
    [InlineData("whatever")]
    public async Task Absent_things_are_404_and_not_cacheable(string url)
    {
        var cache = await App.CreateCacheAsync(NewName(), isPublic: true);
        using var client = App.CreateClient();

        using var response = await client.GetAsync($"{cache.Name}/{url.Replace("{hash}", PushedPath.RandomHashPart(), StringComparison.Ordinal)}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "a 404 must not be cached");
    }

    [Theory]
    [InlineData("/{cache}/nar/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/{cache}/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/{cache}/nar/../../../etc/passwd")]
    [InlineData("/{cache}/log/..%2F..%2Flarder.db")]
    [InlineData("/{cache}/log/%2Fetc%2Fpasswd")]
    [InlineData("/{cache}/nar/%2E%2E")]
    public async Task Path_tricks_in_urls_reach_nothing(string url)
    {
        var cache = await App.CreateCacheAsync(NewName(), isPublic: true);
        using var client = App.CreateClient();

        using var response = await client.GetAsync(new Uri(App.BaseAddress, url.Replace("{cache}", cache.Name, StringComparison.Ordinal)));

        // "/c/nar/../../../etc/passwd" is normalised to "/etc/passwd", a cache that does not exist: 401 for anonymous.
        Assert.True(
            response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized,
            $"got {(int)response.StatusCode}");
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Nar_download_supports_ranges_and_reports_its_length()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: true);
        using var client = App.CreateClient();
        var info = NarInfoRecord.Parse(await client.GetStringAsync($"{cache}/{path.HashPart}.narinfo"));
        var whole = await client.GetByteArrayAsync($"{cache}/{info.Url}");

        using var partial = await GetRangeAsync(client, $"{cache}/{info.Url}", new RangeHeaderValue(10, 19));
        using var suffix = await GetRangeAsync(client, $"{cache}/{info.Url}", new RangeHeaderValue(null, 7));
        using var outside = await GetRangeAsync(client, $"{cache}/{info.Url}", new RangeHeaderValue(whole.Length + 5, null));

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(whole[10..20], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 10-19/{whole.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(whole[^7..], await suffix.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, outside.StatusCode);
        Assert.Equal($"bytes */{whole.Length}", outside.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Nar_is_served_as_application_x_nix_nar_with_length_and_immutable_caching()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: true);
        using var client = App.CreateClient();
        var info = NarInfoRecord.Parse(await client.GetStringAsync($"{cache}/{path.HashPart}.narinfo"));

        using var response = await client.GetAsync($"{cache}/{info.Url}");

        await BinaryCacheAssert.SuccessAsync(response);
        Assert.Equal("application/x-nix-nar", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(info.FileSize, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", string.Join(",", response.Headers.AcceptRanges));
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString());
        Assert.Equal(path.Nar, await NarFixtures.DecompressAsync(await response.Content.ReadAsByteArrayAsync(), CompressionKind.Zstd));
    }

    [Fact]
    public async Task Listing_is_served_as_json()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: true);
        using var client = App.CreateClient();

        using var response = await client.GetAsync($"{cache}/{path.HashPart}.ls");

        await BinaryCacheAssert.SuccessAsync(response);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("{\"version\":1,\"root\":{\"type\":\"directory\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Private_cache_challenges_anonymous_clients_and_serves_token_holders_privately()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: false);
        var (reader, _) = await App.CreateTokenAsync(new GrantDto(cache, ["read"]));

        using var anonymous = App.CreateClient();
        foreach (var url in new[] { "nix-cache-info", $"{path.HashPart}.narinfo", $"{PushedPath.RandomHashPart()}.narinfo" })
        {
            using var refused = await anonymous.GetAsync($"{cache}/{url}");
            await BinaryCacheAssert.ErrorAsync(refused, HttpStatusCode.Unauthorized);
            Assert.Equal("Basic realm=\"larder\"", refused.Headers.WwwAuthenticate.ToString());
        }

        using var basic = App.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("x:" + reader)));
        using var response = await basic.GetAsync($"{cache}/{path.HashPart}.narinfo");
        await BinaryCacheAssert.SuccessAsync(response);
        Assert.True(response.Headers.CacheControl?.Private);
        Assert.False(response.Headers.CacheControl?.Public);
    }

    [Fact]
    public async Task Narinfo_read_with_a_token_from_a_private_cache_is_never_served_to_anonymous_clients()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: false);
        var (reader, _) = await App.CreateTokenAsync(new GrantDto(cache, ["read"]));
        using var withToken = App.CreateClient(reader);
        await withToken.GetStringAsync($"{cache}/{path.HashPart}.narinfo");

        using var anonymous = App.CreateClient();
        using var response = await anonymous.GetAsync($"{cache}/{path.HashPart}.narinfo");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_path_is_visible_right_after_its_push_even_when_just_asked_for()
    {
        var cache = await App.CreateCacheAsync(NewName(), isPublic: true);
        var (secret, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        using var writer = App.CreateClient(secret);
        using var anonymous = App.CreateClient();
        var path = await PushedPath.CreateAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{cache.Name}/{path.HashPart}.narinfo")).StatusCode);

        await path.PushAsync(writer, cache.Name);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"{cache.Name}/{path.HashPart}.narinfo")).StatusCode);
    }

    [Fact]
    public async Task A_public_narinfo_just_served_is_answered_from_memory_before_authorization_reads_the_database()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: true);
        using var client = App.CreateClient();
        await client.GetStringAsync($"{cache}/{path.HashPart}.narinfo");
        await App.Metadata.DeleteCacheAsync((await App.Metadata.GetCacheAsync(cache, default))!.Id, default);

        using var remembered = await client.GetAsync($"{cache}/{path.HashPart}.narinfo");
        // The access filter recalls the cache too (CacheAccess), but this narinfo is read from the database.
        using var notRemembered = await client.GetAsync($"{cache}/{PushedPath.RandomHashPart()}.narinfo");

        Assert.Equal(HttpStatusCode.OK, remembered.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notRemembered.StatusCode);
    }

    [Fact]
    public async Task Serving_a_narinfo_records_the_access()
    {
        var (cache, path) = await CacheWithPathAsync(isPublic: true);
        var recorder = App.Services.GetRequiredService<AccessRecorder>();
        var cacheId = (await App.Metadata.GetCacheAsync(cache, default))!.Id;
        var before = (await App.Metadata.GetPathAsync(cacheId, path.HashPart, default))!.Path.LastAccessedAt;
        await Task.Delay(20); // last-access times are stored in milliseconds

        using var client = App.CreateClient();
        await client.GetStringAsync($"{cache}/{path.HashPart}.narinfo");
        await recorder.FlushAsync(default);

        var after = (await App.Metadata.GetPathAsync(cacheId, path.HashPart, default))!.Path.LastAccessedAt;
        Assert.True(after > before, $"last access {after:O} not after {before:O}");
    }

    private async Task<(string Cache, PushedPath Path)> CacheWithPathAsync(bool isPublic)
    {
        var cache = await App.CreateCacheAsync(NewName(), isPublic);
        var (secret, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        using var writer = App.CreateClient(secret);
        var path = await PushedPath.CreateAsync(CompressionKind.Xz);
        await path.PushAsync(writer, cache.Name);
        return (cache.Name, path);
    }

    private static async Task<HttpResponseMessage> GetRangeAsync(HttpClient client, string url, RangeHeaderValue range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = range;
        return await client.SendAsync(request);
    }

    private static string NewName() => "r-" + Guid.NewGuid().ToString("N")[..20];
}
