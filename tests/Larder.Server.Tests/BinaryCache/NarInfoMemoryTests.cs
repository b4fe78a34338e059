using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Larder.Contracts.Tokens;
using Larder.Server.BinaryCache;
using Larder.Nix.Signing;
using Larder.Server.Metadata.Relational;
using Larder.Server.Tests.Metrics;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Tests.BinaryCache;

/// <summary>
/// Narinfo answers (hits and misses) remembered by a replica, and the NARs of the hits: answered without the database
/// (NARs exactly as the endpoint sends them: bytes, headers, Range, HEAD), forgotten at once by the replica that
/// changes them, and never shown to a request that may not read the cache.
/// </summary>
public sealed class NarInfoMemoryTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    private long DatabaseCommands => ((RelationalMetadataStore)App.Metadata).CommandCount;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_repeated_miss_is_answered_without_the_database_and_a_push_makes_it_a_hit_at_once(bool isPublic)
    {
        var (cache, writer) = await CacheWithWriterAsync(isPublic);
        var path = await PushedPath.CreateAsync();
        using var reader = isPublic ? App.CreateClient() : writer;
        var url = $"{cache}/{path.HashPart}.narinfo";
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(url)).StatusCode);

        long before = DatabaseCommands;
        using var again = await reader.GetAsync(url);
        long missCommands = DatabaseCommands - before;
        await path.PushAsync(writer, cache);
        using var after = await reader.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.True(again.Headers.CacheControl?.NoStore, "a remembered 404 must not be cacheable either");
        // On a private cache the remembered token answers too: no lookup of the token, the cache or the path.
        Assert.Equal(0, missCommands);
        await BinaryCacheAssert.SuccessAsync(after);
        Assert.Equal(path.Info.StorePath, NarInfoRecord.Parse(await after.Content.ReadAsStringAsync()).StorePath);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_path_first_asked_for_on_a_remembered_cache_costs_its_row_only(bool isPublic)
    {
        var (cache, writer, first) = await CacheWithPathAsync(isPublic);
        var second = await PushedPath.CreateAsync();
        await second.PushAsync(writer, cache);
        using var reader = isPublic ? App.CreateClient() : writer;
        using var rememberingTheCache = await reader.GetAsync($"{cache}/{first.HashPart}.narinfo");
        var absent = await PushedPath.CreateAsync();

        long before = DatabaseCommands;
        using var hit = await reader.GetAsync($"{cache}/{second.HashPart}.narinfo");
        using var miss = await reader.GetAsync($"{cache}/{absent.HashPart}.narinfo");
        long firstAskCommands = DatabaseCommands - before;
        before = DatabaseCommands;
        using var hitAgain = await reader.GetAsync($"{cache}/{second.HashPart}.narinfo");

        // Neither the cache nor the token is looked up again: one query for each path's row, then none.
        Assert.Equal(2, firstAskCommands);
        Assert.Equal(before, DatabaseCommands);
        await BinaryCacheAssert.SuccessAsync(hit);
        Assert.Equal(second.Info.StorePath, NarInfoRecord.Parse(await hit.Content.ReadAsStringAsync()).StorePath);
        Assert.Equal(await hit.Content.ReadAsByteArrayAsync(), await hitAgain.Content.ReadAsByteArrayAsync());
        Assert.Equal(hit.Headers.CacheControl, hitAgain.Headers.CacheControl);
        Assert.Equal(HttpStatusCode.NotFound, miss.StatusCode);
        Assert.True(miss.Headers.CacheControl?.NoStore, "a 404 must not be cacheable");
    }

    [Fact]
    public async Task A_repeated_anonymous_hit_on_a_public_cache_is_answered_without_the_database_with_the_same_headers()
    {
        var (cache, _, path) = await PublicCacheWithPathAsync();
        using var reader = App.CreateClient();
        using var first = await reader.GetAsync($"{cache}/{path.HashPart}.narinfo");

        long before = DatabaseCommands;
        using var second = await reader.GetAsync($"{cache}/{path.HashPart}.narinfo");

        Assert.Equal(before, DatabaseCommands);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Content.Headers.ContentType, second.Content.Headers.ContentType);
        Assert.Equal(first.Headers.CacheControl, second.Headers.CacheControl);
    }

    [Fact]
    public async Task Signatures_merged_into_a_remembered_narinfo_are_served_at_once()
    {
        var (cache, writer, path) = await PublicCacheWithPathAsync();
        using var reader = App.CreateClient();
        var before = NarInfoRecord.Parse(await reader.GetStringAsync($"{cache}/{path.HashPart}.narinfo"));

        var pusherKey = SecretKey.Generate("pusher-1");
        await BinaryCacheAssert.SuccessAsync(await path.With(path.Info.Sign(pusherKey)).PutNarInfoAsync(writer, cache));
        var after = NarInfoRecord.Parse(await reader.GetStringAsync($"{cache}/{path.HashPart}.narinfo"));

        Assert.Single(before.Signatures);
        Assert.Equal(2, after.Signatures.Count);
        Assert.True(after.VerifySignatures([pusherKey.PublicKey]));
    }

    [Fact]
    public async Task A_remembered_private_narinfo_is_served_only_to_tokens_that_may_read_the_cache()
    {
        var (cache, writer) = await CacheWithWriterAsync(isPublic: false);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(writer, cache);
        var url = $"{cache}/{path.HashPart}.narinfo";
        var (otherSecret, _) = await App.CreateTokenAsync(new GrantDto("someone-else-*", ["read"]));
        using var anonymous = App.CreateClient();
        using var other = App.CreateClient(otherSecret);
        using var withBasic = App.CreateClient();
        withBasic.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("nix:wrong-secret")));
        await BinaryCacheAssert.SuccessAsync(await writer.GetAsync(url));
        await BinaryCacheAssert.SuccessAsync(await writer.GetAsync(url));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, url))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withBasic.GetAsync(url)).StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_revoked_token_is_refused_at_once_though_its_narinfo_answers_were_remembered(bool isPublic)
    {
        var (cache, writer) = await CacheWithWriterAsync(isPublic);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(writer, cache);
        var (readerSecret, readerId) = await App.CreateTokenAsync(new GrantDto(cache, ["read"]));
        using var reader = App.CreateClient(readerSecret);
        var hit = $"{cache}/{path.HashPart}.narinfo";
        var miss = $"{cache}/{PushedPath.RandomHashPart()}.narinfo";
        await BinaryCacheAssert.SuccessAsync(await reader.GetAsync(hit));
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync(miss)).StatusCode);
        long before = DatabaseCommands;
        await BinaryCacheAssert.SuccessAsync(await reader.GetAsync(hit));
        Assert.Equal(before, DatabaseCommands);

        using var admin = App.CreateClient(App.AdminToken);
        (await admin.DeleteAsync($"api/v1/tokens/{readerId}")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync(hit)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync(miss)).StatusCode);
    }

    [Fact]
    public async Task A_remembered_token_answers_only_for_caches_it_may_read()
    {
        var (cacheA, writerA) = await CacheWithWriterAsync(isPublic: false);
        var (cacheB, writerB) = await CacheWithWriterAsync(isPublic: false);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(writerA, cacheA);
        await path.PushAsync(writerB, cacheB);
        await BinaryCacheAssert.SuccessAsync(await writerA.GetAsync($"{cacheA}/{path.HashPart}.narinfo"));
        await BinaryCacheAssert.SuccessAsync(await writerB.GetAsync($"{cacheB}/{path.HashPart}.narinfo"));

        Assert.Equal(HttpStatusCode.Forbidden, (await writerA.GetAsync($"{cacheB}/{path.HashPart}.narinfo")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writerB.GetAsync($"{cacheA}/{path.HashPart}.narinfo")).StatusCode);
    }

    [Fact]
    public async Task A_public_cache_made_private_stops_answering_anonymous_hits_and_misses_at_once()
    {
        var (cache, _, path) = await PublicCacheWithPathAsync();
        using var anonymous = App.CreateClient();
        var hit = $"{cache}/{path.HashPart}.narinfo";
        var miss = $"{cache}/{PushedPath.RandomHashPart()}.narinfo";
        await BinaryCacheAssert.SuccessAsync(await anonymous.GetAsync(hit));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(miss)).StatusCode);

        using var admin = App.CreateClient(App.AdminToken);
        using var content = new StringContent("""{"public": false}""", Encoding.UTF8, "application/json");
        (await admin.PatchAsync($"api/v1/caches/{cache}", content)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(hit)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(miss)).StatusCode);
    }

    [Fact]
    public async Task A_deleted_cache_answers_nothing_it_remembered()
    {
        var (cache, _, path) = await PublicCacheWithPathAsync();
        using var anonymous = App.CreateClient();
        var hit = $"{cache}/{path.HashPart}.narinfo";
        await BinaryCacheAssert.SuccessAsync(await anonymous.GetAsync(hit));

        using var admin = App.CreateClient(App.AdminToken);
        (await admin.DeleteAsync($"api/v1/caches/{cache}")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(hit)).StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_NAR_whose_narinfo_was_just_read_is_sent_without_the_database_as_the_endpoint_sends_it(bool isPublic)
    {
        var (cache, writer, path) = await CacheWithPathAsync(isPublic);
        using var reader = isPublic ? App.CreateClient() : writer;
        var narUrl = await StoredNarUrlAsync(cache, path);
        using var fromDatabase = await reader.GetAsync($"{cache}/{narUrl}");
        Assert.Equal(narUrl, await NarUrlAsync(reader, cache, path));

        long before = DatabaseCommands;
        using var remembered = await reader.GetAsync($"{cache}/{narUrl}");
        long commands = DatabaseCommands - before;

        await BinaryCacheAssert.SuccessAsync(fromDatabase);
        await BinaryCacheAssert.SuccessAsync(remembered);
        Assert.Equal(0, commands);
        Assert.Equal(await fromDatabase.Content.ReadAsByteArrayAsync(), await remembered.Content.ReadAsByteArrayAsync());
        Assert.Equal(path.Nar, await NarFixtures.DecompressAsync(await remembered.Content.ReadAsByteArrayAsync(), path.Compression));
        Assert.Equal(fromDatabase.Headers.CacheControl, remembered.Headers.CacheControl);
        Assert.Equal(fromDatabase.Headers.ETag, remembered.Headers.ETag);
        Assert.Equal(fromDatabase.Headers.AcceptRanges, remembered.Headers.AcceptRanges);
        Assert.Equal(fromDatabase.Content.Headers.ContentType, remembered.Content.Headers.ContentType);
        Assert.Equal(fromDatabase.Content.Headers.ContentLength, remembered.Content.Headers.ContentLength);
        var metrics = await PrometheusText.ScrapeAsync(App.CreateClient(App.AdminToken));
        Assert.Equal(2, metrics.Sum("larder_http_requests_total", $"cache=\"{cache}\"", "endpoint=\"/{cache}/nar/{file}\"", "status=\"200\""));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_NAR_asked_for_without_its_narinfo_costs_its_row_only_and_is_sent_as_the_endpoint_sends_it(bool isPublic)
    {
        var (cache, writer, path) = await CacheWithPathAsync(isPublic);
        using var reader = isPublic ? App.CreateClient() : writer;
        var narUrl = await StoredNarUrlAsync(cache, path);
        using var routed = await reader.GetAsync($"{cache}/{narUrl}");
        var other = await PushedPath.CreateAsync();
        await other.PushAsync(writer, cache);
        using var rememberingTheCache = await reader.GetAsync($"{cache}/{other.HashPart}.narinfo");

        long before = DatabaseCommands;
        using var early = await reader.GetAsync($"{cache}/{narUrl}");
        long commands = DatabaseCommands - before;

        await BinaryCacheAssert.SuccessAsync(routed);
        await BinaryCacheAssert.SuccessAsync(early);
        // The NAR's row; neither the cache nor the token is looked up again.
        Assert.Equal(1, commands);
        Assert.Equal(await routed.Content.ReadAsByteArrayAsync(), await early.Content.ReadAsByteArrayAsync());
        Assert.Equal(path.Nar, await NarFixtures.DecompressAsync(await early.Content.ReadAsByteArrayAsync(), path.Compression));
        Assert.Equal(routed.Headers.CacheControl, early.Headers.CacheControl);
        Assert.Equal(routed.Headers.ETag, early.Headers.ETag);
        Assert.Equal(routed.Content.Headers.ContentType, early.Content.Headers.ContentType);
        Assert.Equal(routed.Content.Headers.ContentLength, early.Content.Headers.ContentLength);

        using var admin = App.CreateClient(App.AdminToken);
        (await admin.DeleteAsync($"api/v1/caches/{cache}/paths/{path.HashPart}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"{cache}/{narUrl}")).StatusCode);
        if (!isPublic)
        {
            using var anonymous = App.CreateClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{cache}/{await StoredNarUrlAsync(cache, other)}")).StatusCode);
        }
    }

    [Fact]
    public async Task A_remembered_NAR_answers_ranges_and_HEAD_without_the_database()
    {
        var (cache, _, path) = await PublicCacheWithPathAsync();
        using var reader = App.CreateClient();
        var narUrl = await NarUrlAsync(reader, cache, path);
        var whole = await reader.GetByteArrayAsync($"{cache}/{narUrl}");

        long before = DatabaseCommands;
        using var partial = await reader.SendAsync(Ranged($"{cache}/{narUrl}", 3, 9));
        using var head = await reader.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{cache}/{narUrl}"));
        using var outside = await reader.SendAsync(Ranged($"{cache}/{narUrl}", whole.Length, whole.Length + 5));
        long commands = DatabaseCommands - before;

        Assert.Equal(0, commands);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(whole[3..10], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 3-9/{whole.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(whole.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, outside.StatusCode);
        Assert.Equal($"bytes */{whole.Length}", outside.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task A_deleted_path_s_remembered_NAR_is_no_longer_sent_at_once()
    {
        var (cache, _, path) = await PublicCacheWithPathAsync();
        using var reader = App.CreateClient();
        var narUrl = await NarUrlAsync(reader, cache, path);
        await BinaryCacheAssert.SuccessAsync(await reader.GetAsync($"{cache}/{narUrl}"));

        using var admin = App.CreateClient(App.AdminToken);
        (await admin.DeleteAsync($"api/v1/caches/{cache}/paths/{path.HashPart}")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"{cache}/{narUrl}")).StatusCode);
    }

    [Fact]
    public async Task A_remembered_private_NAR_is_sent_only_to_tokens_that_may_read_the_cache()
    {
        var (cache, writer, path) = await PrivateCacheWithPathAsync();
        var narUrl = await NarUrlAsync(writer, cache, path);
        await BinaryCacheAssert.SuccessAsync(await writer.GetAsync($"{cache}/{narUrl}"));
        var (otherSecret, _) = await App.CreateTokenAsync(new GrantDto("someone-else-*", ["read"]));
        using var anonymous = App.CreateClient();
        using var other = App.CreateClient(otherSecret);
        using var wrong = App.CreateClient("not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{cache}/{narUrl}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{cache}/{narUrl}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"{cache}/{narUrl}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync($"{cache}/{narUrl}")).StatusCode);
    }

    /// <summary>The NAR URL the cache's narinfo names; reading it also makes the replica remember the path and its NAR.</summary>
    private static async Task<string> NarUrlAsync(HttpClient reader, string cache, PushedPath path) =>
        NarInfoRecord.Parse(await reader.GetStringAsync($"{cache}/{path.HashPart}.narinfo")).Url;

    /// <summary>The NAR URL as stored, read from the metadata store: the server remembers nothing by it.</summary>
    private async Task<string> StoredNarUrlAsync(string cache, PushedPath path)
    {
        var record = await App.Metadata.GetCacheAsync(cache, CancellationToken.None);
        var entry = await App.Metadata.GetPathAsync(record!.Id, path.HashPart, CancellationToken.None);
        return NarInfoText.NarUrl(entry!.Nar);
    }

    private static HttpRequestMessage Ranged(string url, long from, long to)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(from, to);
        return request;
    }

    private Task<(string Cache, HttpClient Writer, PushedPath Path)> PublicCacheWithPathAsync() => CacheWithPathAsync(isPublic: true);

    private Task<(string Cache, HttpClient Writer, PushedPath Path)> PrivateCacheWithPathAsync() => CacheWithPathAsync(isPublic: false);

    private async Task<(string Cache, HttpClient Writer, PushedPath Path)> CacheWithPathAsync(bool isPublic)
    {
        var (cache, writer) = await CacheWithWriterAsync(isPublic);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(writer, cache);
        return (cache, writer, path);
    }

    private async Task<(string Cache, HttpClient Writer)> CacheWithWriterAsync(bool isPublic)
    {
        var cache = await App.CreateCacheAsync("m-" + Guid.NewGuid().ToString("N")[..20], isPublic);
        var (secret, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        return (cache.Name, App.CreateClient(secret));
    }
}
