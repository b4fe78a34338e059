using System.Net;
using System.Net.Http.Json;
using System.Text;
using Larder.Contracts;
using Larder.Contracts.Caches;
using Larder.Contracts.Tokens;
using Larder.Nix.Signing;

namespace Larder.Server.Tests.Api;

public sealed class CacheApiTests(LarderApplicationFixture fixture) : IClassFixture<LarderApplicationFixture>
{
    private LarderApplication App => fixture.App;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Create_returns_201_with_defaults_and_a_usable_public_key()
    {
        var name = Unique("new");
        using var client = App.CreateClient(App.AdminToken);

        using var response = await client.PostAsync("api/v1/caches", Json($$"""{"name": "{{name}}"}"""));

        var cache = await ApiAssert.OkAsync(response, LarderJsonContext.Default.CacheDto, HttpStatusCode.Created);
        Assert.Equal($"/api/v1/caches/{name}", response.Headers.Location?.ToString());
        Assert.Equal(name, cache.Name);
        Assert.False(cache.Public);
        Assert.Equal(40, cache.Priority);
        Assert.Equal("/nix/store", cache.StoreDir);
        Assert.Empty(cache.UpstreamKeyNames);
        Assert.Equal(new CacheStatsDto(0, 0, 0), cache.Stats);
        Assert.Equal($"{App.BaseAddress}{name}", cache.SubstituterUrl);
        var key = PublicKey.Parse(cache.PublicKey);
        Assert.Equal($"{name}-1", key.Name);
    }

    [Fact]
    public async Task Create_keeps_given_settings_and_Get_shows_them()
    {
        var name = Unique("set");
        using var client = App.CreateClient(App.AdminToken);
        using var created = await client.PostAsync("api/v1/caches", Json($$"""
            {"name": "{{name}}", "public": true, "priority": 30, "storeDir": "/opt/nix/store", "upstreamKeyNames": ["cache.nixos.org-1"]}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var anonymous = App.CreateClient();
        var cache = await ApiAssert.OkAsync(await anonymous.GetAsync($"api/v1/caches/{name}"), LarderJsonContext.Default.CacheDto);

        Assert.True(cache.Public);
        Assert.Equal(30, cache.Priority);
        Assert.Equal("/opt/nix/store", cache.StoreDir);
        Assert.Equal(["cache.nixos.org-1"], cache.UpstreamKeyNames);
    }

    [Theory]
    [InlineData("""{"name": "Upper"}""", "invalid cache name 'Upper'")]
    [InlineData("""{"name": "-dash"}""", "invalid cache name '-dash'")]
    [InlineData("""{"name": "a/b"}""", "invalid cache name 'a/b'")]
    [InlineData("""{"name": ".."}""", "invalid cache name '..'")]
    [InlineData("""{"name": "x y"}""", "invalid cache name 'x y'")]
    [InlineData("""{"name": "api"}""", "reserved")]
    [InlineData("""{"name": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}""", "invalid cache name")]
    [InlineData("""{"name": ""}""", "a cache name is required")]
    [InlineData("""{}""", "a cache name is required")]
    [InlineData("""{"name": "ok-prio", "priority": -1}""", "invalid priority -1")]
    [InlineData("""{"name": "ok-dir", "storeDir": "nix/store"}""", "invalid store directory 'nix/store'")]
    [InlineData("""{"name": "ok-dir2", "storeDir": "/nix/store/"}""", "invalid store directory '/nix/store/'")]
    [InlineData("""{"name": "ok-dir3", "storeDir": "/nix/../etc"}""", "invalid store directory")]
    [InlineData("""{"name": "ok-up", "upstreamKeyNames": ["cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="]}""", "not the whole public key")]
    [InlineData("""{"name": "ok-up2", "upstreamKeyNames": ["bad key"]}""", "invalid upstream key name 'bad key'")]
    [InlineData("""{"name": 5}""", "invalid JSON body")]
    [InlineData("""{"name": "x" """, "invalid JSON body")]
    [InlineData("""{"name": "ok-pub", "public": "yes"}""", "invalid JSON body")]
    public async Task Create_rejects_bad_input_with_400_naming_the_problem(string body, string message)
    {
        using var client = App.CreateClient(App.AdminToken);
        using var response = await client.PostAsync("api/v1/caches", Json(body));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task Create_with_an_empty_body_is_400()
    {
        using var client = App.CreateClient(App.AdminToken);
        using var response = await client.PostAsync("api/v1/caches", Json(""));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_with_a_non_JSON_content_type_is_415()
    {
        using var client = App.CreateClient(App.AdminToken);
        using var response = await client.PostAsync("api/v1/caches", new StringContent("name=x", Encoding.UTF8, "text/plain"));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported content type 'text/plain");
    }

    [Fact]
    public async Task JSON_bodies_over_1_MiB_are_413_even_with_a_large_upload_limit()
    {
        using var client = App.CreateClient(App.AdminToken);
        var body = $$"""{"name": "{{new string('a', 2 << 20)}}"}""";
        // Expect: 100-continue, as curl sends for large bodies: the refusal is then read before any body byte is sent,
        // instead of racing the connection reset that follows a 413 sent while the client is still writing.
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/caches") { Content = Json(body) };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "too large");
    }

    [Fact]
    public async Task Create_of_a_taken_name_is_409()
    {
        var cache = await App.CreateCacheAsync(Unique("dup"));
        using var client = App.CreateClient(App.AdminToken);
        using var response = await client.PostAsync("api/v1/caches", Json($$"""{"name": "{{cache.Name}}"}"""));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, $"'{cache.Name}' already exists");
    }

    [Fact]
    public async Task Create_without_a_token_is_401()
    {
        using var client = App.CreateClient();
        using var response = await client.PostAsync("api/v1/caches", Json("""{"name": "anon"}"""));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Create_needs_admin_on_the_name()
    {
        var prefix = Unique("grp");
        var (writer, _) = await App.CreateTokenAsync(new GrantDto("*", ["read", "write"]));
        var (groupAdmin, _) = await App.CreateTokenAsync(new GrantDto(prefix + "-*", ["admin"]));

        using var asWriter = App.CreateClient(writer);
        using var refused = await asWriter.PostAsync("api/v1/caches", Json($$"""{"name": "{{prefix}}-a"}"""));
        await ApiAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, "admin");

        using var asGroupAdmin = App.CreateClient(groupAdmin);
        using var inGroup = await asGroupAdmin.PostAsync("api/v1/caches", Json($$"""{"name": "{{prefix}}-a"}"""));
        Assert.Equal(HttpStatusCode.Created, inGroup.StatusCode);
        using var outside = await asGroupAdmin.PostAsync("api/v1/caches", Json($$"""{"name": "{{Unique("other")}}"}"""));
        await ApiAssert.ErrorAsync(outside, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_private_cache_answers_anonymous_clients_exactly_like_a_missing_one()
    {
        var cache = await App.CreateCacheAsync(Unique("priv"));
        using var client = App.CreateClient();

        using var existing = await client.GetAsync($"api/v1/caches/{cache.Name}");
        using var missing = await client.GetAsync("api/v1/caches/never-created");

        var existingMessage = await ApiAssert.ErrorAsync(existing, HttpStatusCode.Unauthorized);
        var missingMessage = await ApiAssert.ErrorAsync(missing, HttpStatusCode.Unauthorized);
        Assert.Equal(existingMessage.Replace(cache.Name, "X", StringComparison.Ordinal), missingMessage.Replace("never-created", "X", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_without_access_gets_403_whether_or_not_the_cache_exists()
    {
        var cache = await App.CreateCacheAsync(Unique("hid"));
        var (token, _) = await App.CreateTokenAsync(new GrantDto("somewhere-else", ["read"]));
        using var client = App.CreateClient(token);

        await ApiAssert.ErrorAsync(await client.GetAsync($"api/v1/caches/{cache.Name}"), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/caches/never-created"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_token_that_could_see_it_gets_404_for_a_missing_cache()
    {
        using var client = App.CreateClient(App.AdminToken);
        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/caches/never-created"), HttpStatusCode.NotFound, "no cache named 'never-created'");
    }

    [Fact]
    public async Task A_read_token_sees_a_private_cache()
    {
        var cache = await App.CreateCacheAsync(Unique("rd"));
        var (token, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read"]));
        using var client = App.CreateClient(token);
        var shown = await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache.Name}"), LarderJsonContext.Default.CacheDto);
        Assert.Equal(cache.PublicKey, shown.PublicKey);
    }

    [Fact]
    public async Task List_shows_public_caches_to_everyone_and_private_ones_to_their_tokens()
    {
        var publicCache = await App.CreateCacheAsync(Unique("lpub"), isPublic: true);
        var mine = await App.CreateCacheAsync(Unique("lmine"));
        var theirs = await App.CreateCacheAsync(Unique("lthem"));
        var (token, _) = await App.CreateTokenAsync(new GrantDto(mine.Name, ["read"]));

        using var anonymous = App.CreateClient();
        using var scoped = App.CreateClient(token);
        var anonymousNames = (await ApiAssert.OkAsync(await anonymous.GetAsync("api/v1/caches"), LarderJsonContext.Default.IReadOnlyListCacheDto)).Select(c => c.Name).ToList();
        var scopedNames = (await ApiAssert.OkAsync(await scoped.GetAsync("api/v1/caches"), LarderJsonContext.Default.IReadOnlyListCacheDto)).Select(c => c.Name).ToList();

        Assert.Contains(publicCache.Name, anonymousNames);
        Assert.DoesNotContain(mine.Name, anonymousNames);
        Assert.DoesNotContain(theirs.Name, anonymousNames);
        Assert.Contains(publicCache.Name, scopedNames);
        Assert.Contains(mine.Name, scopedNames);
        Assert.DoesNotContain(theirs.Name, scopedNames);
    }

    [Fact]
    public async Task Patch_changes_only_the_given_settings()
    {
        var cache = await App.CreateCacheAsync(Unique("patch"));
        using var client = App.CreateClient(App.AdminToken);

        using var response = await client.PatchAsync($"api/v1/caches/{cache.Name}", Json("""{"public": true, "upstreamKeyNames": ["a-1", "a-1", "b-1"]}"""));

        var patched = await ApiAssert.OkAsync(response, LarderJsonContext.Default.CacheDto);
        Assert.True(patched.Public);
        Assert.Equal(40, patched.Priority);
        Assert.Equal(["a-1", "b-1"], patched.UpstreamKeyNames);
        Assert.Equal(cache.PublicKey, patched.PublicKey);
        using var again = await client.PatchAsync($"api/v1/caches/{cache.Name}", Json("""{"priority": 10}"""));
        var second = await ApiAssert.OkAsync(again, LarderJsonContext.Default.CacheDto);
        Assert.True(second.Public);
        Assert.Equal(10, second.Priority);
    }

    [Theory]
    [InlineData("""{"priority": 100000}""", "invalid priority")]
    [InlineData("""{"public": 1}""", "invalid JSON body")]
    [InlineData("""{"upstreamKeyNames": ["x:y"]}""", "not the whole public key")]
    public async Task Patch_rejects_bad_settings(string body, string message)
    {
        var cache = await App.CreateCacheAsync(Unique("pbad"));
        using var client = App.CreateClient(App.AdminToken);
        await ApiAssert.ErrorAsync(await client.PatchAsync($"api/v1/caches/{cache.Name}", Json(body)), HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task Patch_and_Delete_need_admin_on_the_cache()
    {
        var cache = await App.CreateCacheAsync(Unique("adm"));
        var (writer, _) = await App.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write", "delete"]));
        using var client = App.CreateClient(writer);

        await ApiAssert.ErrorAsync(await client.PatchAsync($"api/v1/caches/{cache.Name}", Json("""{"public": true}""")), HttpStatusCode.Forbidden, "admin");
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"api/v1/caches/{cache.Name}"), HttpStatusCode.Forbidden, "admin");
    }

    [Fact]
    public async Task Delete_removes_the_cache()
    {
        var cache = await App.CreateCacheAsync(Unique("del"));
        using var client = App.CreateClient(App.AdminToken);

        using var deleted = await client.DeleteAsync($"api/v1/caches/{cache.Name}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ApiAssert.ErrorAsync(await client.GetAsync($"api/v1/caches/{cache.Name}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"api/v1/caches/{cache.Name}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Events_list_pushes_newest_first()
    {
        var cache = await App.CreateCacheAsync(Unique("ev"));
        var record = await App.Metadata.GetCacheAsync(cache.Name, CancellationToken.None);
        var commit = Metadata.MetadataSamples.Commit(record!.Id);
        await Metadata.MetadataSamples.CommitNewAsync(App.Metadata, commit, CancellationToken.None);
        using var client = App.CreateClient(App.AdminToken);

        var events = await ApiAssert.OkAsync(await client.GetAsync($"api/v1/caches/{cache.Name}/events?limit=5"), LarderJsonContext.Default.IReadOnlyListEventDto);

        var only = Assert.Single(events);
        Assert.Equal("push", only.Kind);
        Assert.Equal(commit.StorePath, only.StorePath);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("ten")]
    public async Task Events_reject_a_bad_limit(string limit)
    {
        var cache = await App.CreateCacheAsync(Unique("evl"));
        using var client = App.CreateClient(App.AdminToken);
        await ApiAssert.ErrorAsync(await client.GetAsync($"api/v1/caches/{cache.Name}/events?limit={limit}"), HttpStatusCode.BadRequest, $"invalid limit '{limit}'");
    }

    [Fact]
    public async Task Stats_count_committed_paths()
    {
        var cache = await App.CreateCacheAsync(Unique("st"));
        var record = await App.Metadata.GetCacheAsync(cache.Name, CancellationToken.None);
        var commit = Metadata.MetadataSamples.Commit(record!.Id);
        await Metadata.MetadataSamples.CommitNewAsync(App.Metadata, commit, CancellationToken.None);
        using var client = App.CreateClient(App.AdminToken);

        var shown = await client.GetFromJsonAsync($"api/v1/caches/{cache.Name}", LarderJsonContext.Default.CacheDto);

        Assert.Equal(new CacheStatsDto(1, commit.Nar.NarSize, commit.Nar.FileSize), shown!.Stats);
    }

    [Fact]
    public async Task Unknown_API_routes_are_JSON_404s()
    {
        using var client = App.CreateClient(App.AdminToken);
        await ApiAssert.ErrorAsync(await client.GetAsync("api/v1/nothing-here"), HttpStatusCode.NotFound, "no API endpoint GET /api/v1/nothing-here");
        await ApiAssert.ErrorAsync(await client.PutAsync("api/v1/caches", null), HttpStatusCode.MethodNotAllowed, "method PUT is not allowed");
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_cache_and_token_endpoints()
    {
        using var client = App.CreateClient();
        var text = await client.GetStringAsync("api/v1/openapi.json");
        Assert.Contains("\"/api/v1/caches/{cache}\"", text, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/tokens\"", text, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/whoami\"", text, StringComparison.Ordinal);
    }
}
