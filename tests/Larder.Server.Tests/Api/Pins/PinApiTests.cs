using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Larder.Contracts.Pins;
using Larder.Contracts.Tokens;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Api.Pins;

/// <summary>Pins over HTTP: the API, its refusals, the pin tarball and the artifact download.</summary>
public sealed class PinApiTests : IAsyncLifetime
{
    private LarderApplication _app = null!;

    public async Task InitializeAsync() => _app = await LarderApplication.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private async Task<(string Cache, PushedPath Path)> CacheWithPathAsync(string prefix, bool isPublic = false)
    {
        var cache = Unique(prefix);
        await _app.CreateCacheAsync(cache, isPublic);
        var path = await PushedPath.CreateAsync(name: "app");
        using var client = _app.CreateClient(_app.AdminToken);
        await path.PushAsync(client, cache);
        return (cache, path);
    }

    private static Task<HttpResponseMessage> PutPinAsync(HttpClient client, string cache, string name, SetPinRequest request) =>
        client.PutAsJsonAsync($"api/v1/caches/{cache}/pins/{name}", request, PinJsonContext.Default.SetPinRequest);

    private async Task<PinDto> PinAsync(string cache, string name, SetPinRequest request)
    {
        using var client = _app.CreateClient(_app.AdminToken);
        return await ApiAssert.OkAsync(await PutPinAsync(client, cache, name, request), PinJsonContext.Default.PinDto);
    }

    private static async Task<Dictionary<string, string>> ReadTarballAsync(byte[] tarball)
    {
        var files = new Dictionary<string, string>();
        using var gzip = new GZipStream(new MemoryStream(tarball), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            files[entry.Name] = entry.DataStream is null ? "" : await new StreamReader(entry.DataStream).ReadToEndAsync();
        }
        return files;
    }

    [Fact]
    public async Task A_pin_is_listed_and_its_history_names_the_token_that_set_each_revision()
    {
        var (cache, path) = await CacheWithPathAsync("pin");
        var (writer, writerId) = await _app.CreateTokenAsync(new GrantDto(cache, ["read", "write"]));
        using var client = _app.CreateClient(writer);

        var set = await ApiAssert.OkAsync(
            await PutPinAsync(client, cache, "app", new SetPinRequest(path.Info.StorePath.FullPath, KeepRevisions: 3)), PinJsonContext.Default.PinDto);
        var list = await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache}/pins"), PinJsonContext.Default.IReadOnlyListPinDto);
        var history = await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache}/pins/app"), PinJsonContext.Default.PinHistoryDto);

        Assert.Equal(path.Info.StorePath.FullPath, set.Current.StorePath);
        Assert.Equal(new PinKeepDto(3, null, false), set.Keep);
        Assert.Equal($"/{cache}/pins/app.tar.gz", set.TarballPath);
        Assert.Equal(["app"], list.Select(p => p.Name));
        var revision = Assert.Single(history.History);
        Assert.Equal(writerId, revision.TokenId);
        Assert.True(revision.Protected);
    }

    [Theory]
    [InlineData("a%2Fb", "{path}", null, HttpStatusCode.BadRequest, "invalid pin name 'a")]
    [InlineData("-app", "{path}", null, HttpStatusCode.BadRequest, "invalid pin name '-app'")]
    [InlineData("1app", "{path}", null, HttpStatusCode.BadRequest, "invalid pin name '1app'")]
    [InlineData("my.app", "{path}", null, HttpStatusCode.BadRequest, "invalid pin name 'my.app'")]
    [InlineData("{long}", "{path}", null, HttpStatusCode.BadRequest, "use 1 to 100 characters")]
    [InlineData("app", "/nix/store/not-a-path", null, HttpStatusCode.BadRequest, "invalid store path '/nix/store/not-a-path'")]
    [InlineData("app", "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-absent", null, HttpStatusCode.BadRequest, "does not hold the path with hash aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("app", "/other/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-elsewhere", null, HttpStatusCode.BadRequest, "is not in cache")]
    [InlineData("app", "{path}", "../../etc/passwd", HttpStatusCode.BadRequest, "it has an empty, '.' or '..' segment")]
    [InlineData("app", "{path}", "/etc/passwd", HttpStatusCode.BadRequest, "it must be relative to the store path")]
    [InlineData("app", "{path}", "bin//tool", HttpStatusCode.BadRequest, "it has an empty, '.' or '..' segment")]
    [InlineData("app", "{path}", "", HttpStatusCode.BadRequest, "invalid artifact '': it is empty")]
    public async Task Bad_pin_requests_are_4xx_naming_the_problem_and_change_nothing(
        string name, string storePath, string? artifact, HttpStatusCode status, string message)
    {
        var (cache, path) = await CacheWithPathAsync("bad");
        using var client = _app.CreateClient(_app.AdminToken);
        var request = new SetPinRequest(storePath.Replace("{path}", path.Info.StorePath.FullPath, StringComparison.Ordinal), artifact);

        using var response = await PutPinAsync(client, cache, name.Replace("{long}", new string('a', 101), StringComparison.Ordinal), request);

        await ApiAssert.ErrorAsync(response, status, message);
        Assert.Empty(await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache}/pins"), PinJsonContext.Default.IReadOnlyListPinDto));
    }

    [Theory]
    [InlineData("""{"storePath":"{path}","revision":1}""", "give either storePath (with an optional artifact) or revision, not both")]
    [InlineData("""{"revision":0}""", "invalid revision 0")]
    [InlineData("""{"revision":3}""", "has no revision 3")]
    [InlineData("""{}""", "give storePath (the path to pin) or revision (to roll back to)")]
    [InlineData("""{"storePath":"{path}","keepRevisions":2,"keepForever":true}""", "contradict each other")]
    [InlineData("""{"storePath":"{path}","keepRevisions":0}""", "invalid keepRevisions 0")]
    [InlineData("""{"storePath":"{path}","keepDays":40000}""", "invalid keepDays 40000")]
    [InlineData("""{"storePath":"{path}","keepForever":false}""", "keepForever can only be true")]
    public async Task Contradictory_or_out_of_range_pin_bodies_are_refused_and_change_nothing(string body, string message)
    {
        var (cache, path) = await CacheWithPathAsync("body");
        using var client = _app.CreateClient(_app.AdminToken);
        using var content = new StringContent(body.Replace("{path}", path.Info.StorePath.FullPath, StringComparison.Ordinal), Encoding.UTF8, "application/json");

        using var response = await client.PutAsync($"api/v1/caches/{cache}/pins/app", content);

        await ApiAssert.ErrorAsync(response, body.Contains("revision\":3", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest, message);
        Assert.Empty(await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache}/pins"), PinJsonContext.Default.IReadOnlyListPinDto));
    }

    [Fact]
    public async Task Pinning_or_removing_a_pin_without_write_is_403_and_changes_nothing()
    {
        var (cache, path) = await CacheWithPathAsync("ro");
        await PinAsync(cache, "app", new SetPinRequest(path.HashPart));
        var (reader, _) = await _app.CreateTokenAsync(new GrantDto(cache, ["read"]));
        using var client = _app.CreateClient(reader);

        using var put = await PutPinAsync(client, cache, "other", new SetPinRequest(path.HashPart));
        using var delete = await client.DeleteAsync($"api/v1/caches/{cache}/pins/app");

        await ApiAssert.ErrorAsync(put, HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(delete, HttpStatusCode.Forbidden);
        var pins = await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache}/pins"), PinJsonContext.Default.IReadOnlyListPinDto);
        Assert.Equal(["app"], pins.Select(p => p.Name));
    }

    [Fact]
    public async Task Deleting_a_pinned_path_is_409_naming_the_pin()
    {
        var (cache, path) = await CacheWithPathAsync("del");
        await PinAsync(cache, "app", new SetPinRequest(path.HashPart));
        using var client = _app.CreateClient(_app.AdminToken);

        using var response = await client.DeleteAsync($"api/v1/caches/{cache}/paths/{path.HashPart}?recursive=true");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "is needed by pin(s) 'app'");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{cache}/{path.HashPart}.narinfo")).StatusCode);
    }

    [Fact]
    public async Task The_pin_tarball_is_deterministic_revalidates_by_etag_and_changes_with_the_pin()
    {
        var (cache, path) = await CacheWithPathAsync("tar", isPublic: true);
        var other = await PushedPath.CreateAsync(name: "other");
        using var admin = _app.CreateClient(_app.AdminToken);
        await other.PushAsync(admin, cache);
        await PinAsync(cache, "app", new SetPinRequest(path.HashPart));
        using var anonymous = _app.CreateClient();

        using var first = await anonymous.GetAsync($"{cache}/pins.tar.gz");
        var bytes = await first.Content.ReadAsByteArrayAsync();
        var again = await anonymous.GetByteArrayAsync($"{cache}/pins.tar.gz");
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, $"{cache}/pins.tar.gz");
        revalidate.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var notModified = await anonymous.SendAsync(revalidate);
        await PinAsync(cache, "app", new SetPinRequest(other.HashPart));
        using var changed = await anonymous.SendAsync(Clone(revalidate));
        var one = await anonymous.GetByteArrayAsync($"{cache}/pins/app.tar.gz");
        using var unknown = await anonymous.GetAsync($"{cache}/pins/nope.tar.gz");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/gzip", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, again);
        var files = await ReadTarballAsync(bytes);
        Assert.Equal(["pins/", "pins/default.nix", "pins/flake.nix"], files.Keys);
        Assert.Contains($"\"app\" = builtins.storePath \"{path.Info.StorePath.FullPath}\";", files["pins/default.nix"]);
        Assert.Contains("packages.${builtins.currentSystem} = pins;", files["pins/flake.nix"]);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(first.Headers.ETag, changed.Headers.ETag);
        Assert.Contains(other.Info.StorePath.FullPath, (await ReadTarballAsync(one))["pins/default.nix"]);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no pin named 'nope'", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_private_caches_tarball_answers_an_anonymous_caller_exactly_as_a_missing_cache_does()
    {
        var (cache, path) = await CacheWithPathAsync("priv");
        await PinAsync(cache, "app", new SetPinRequest(path.HashPart, "bin/tool"));
        using var anonymous = _app.CreateClient();
        using var reader = _app.CreateClient((await _app.CreateTokenAsync(new GrantDto(cache, ["read"]))).Secret);

        foreach (var suffix in new[] { "pins.tar.gz", "pins/app.tar.gz", "pins/app/artifact" })
        {
            using var hidden = await anonymous.GetAsync($"{cache}/{suffix}");
            using var missing = await anonymous.GetAsync($"no-such-{cache}/{suffix}");
            using var allowed = await reader.GetAsync($"{cache}/{suffix}");
            Assert.Equal(missing.StatusCode, hidden.StatusCode);
            Assert.Equal(
                (await missing.Content.ReadAsStringAsync()).Replace("no-such-", "", StringComparison.Ordinal),
                await hidden.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
    }

    [Fact]
    public async Task The_artifact_url_streams_the_file_out_of_the_nar_and_404s_name_what_is_not_a_file()
    {
        var (cache, path) = await CacheWithPathAsync("art", isPublic: true);
        await PinAsync(cache, "tool", new SetPinRequest(path.HashPart, "bin/tool"));
        await PinAsync(cache, "absent", new SetPinRequest(path.HashPart, "bin/nothing"));
        await PinAsync(cache, "link", new SetPinRequest(path.HashPart, "link"));
        await PinAsync(cache, "plain", new SetPinRequest(path.HashPart));
        using var client = _app.CreateClient();

        using var tool = await client.GetAsync($"{cache}/pins/tool/artifact");
        using var absent = await client.GetAsync($"{cache}/pins/absent/artifact");
        using var link = await client.GetAsync($"{cache}/pins/link/artifact");
        using var plain = await client.GetAsync($"{cache}/pins/plain/artifact");

        Assert.Equal(HttpStatusCode.OK, tool.StatusCode);
        Assert.StartsWith("#!/bin/sh\necho ", await tool.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("tool", tool.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        Assert.Contains("has no regular file bin/nothing", await absent.Content.ReadAsStringAsync());
        Assert.Contains("it is a symlink to greeting", await link.Content.ReadAsStringAsync());
        Assert.Contains("names no artifact", await plain.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage Clone(HttpRequestMessage request)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var tag in request.Headers.IfNoneMatch)
        {
            clone.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(tag.Tag));
        }
        return clone;
    }
}
