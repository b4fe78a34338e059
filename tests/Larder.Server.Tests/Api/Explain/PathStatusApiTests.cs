using System.Net;
using System.Net.Http.Json;
using System.Text;
using Larder.Contracts.Explain;
using Larder.Contracts.Tokens;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Api.Explain;

/// <summary><c>POST /api/v1/caches/{cache}/paths/status</c> over HTTP: the facts it answers, its access rules and limits.</summary>
public sealed class PathStatusApiTests : IAsyncLifetime
{
    private LarderApplication _app = null!;

    public async Task InitializeAsync() => _app = await LarderApplication.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private static HttpContent Body(params string[] paths) => JsonContent.Create(new PathStatusRequest(paths), ExplainJsonContext.Default.PathStatusRequest);

    private async Task<PathStatusesDto> StatusAsync(HttpClient client, string cache, params string[] paths) =>
        await ApiAssert.OkAsync(await client.PostAsync($"api/v1/caches/{cache}/paths/status", Body(paths)), ExplainJsonContext.Default.PathStatusesDto);

    [Fact]
    public async Task Answers_presence_facts_events_and_same_name_paths_in_the_order_asked()
    {
        var cache = Unique("status");
        var created = await _app.CreateCacheAsync(cache);
        using var client = _app.CreateClient(_app.AdminToken);
        var dep = await PushedPath.CreateAsync(name: "dep");
        await dep.PushAsync(client, cache);
        var top = await PushedPath.CreateAsync(references: [dep.Info.StorePath.BaseName], name: "top");
        await top.PushAsync(client, cache);
        var gone = await PushedPath.CreateAsync(name: "gone");
        await gone.PushAsync(client, cache);
        (await client.DeleteAsync($"api/v1/caches/{cache}/paths/{gone.HashPart}")).EnsureSuccessStatusCode();
        var otherTop = $"/nix/store/{PushedPath.RandomHashPart()}-top";
        var neverPushed = PushedPath.RandomHashPart();

        var answer = await StatusAsync(client, cache, top.Info.StorePath.FullPath, gone.HashPart, otherTop, neverPushed);

        Assert.Equal(cache, answer.Cache);
        Assert.Equal(created.PublicKey, answer.PublicKey);
        Assert.EndsWith($"/{cache}", answer.SubstituterUrl);
        Assert.Equal([top.Info.StorePath.FullPath, gone.HashPart, otherTop, neverPushed], answer.Paths.Select(p => p.Query));
        var present = answer.Paths[0];
        Assert.True(present.Present);
        Assert.Equal(top.Info.NarHash.ToNix32String(), present.NarHash);
        Assert.Equal(top.Info.NarSize, present.NarSize);
        Assert.Equal([dep.Info.StorePath.BaseName], present.References);
        Assert.Empty(present.MissingReferences!);
        Assert.Contains(present.Signatures!, s => s.StartsWith(created.PublicKey.Split(':')[0] + ":", StringComparison.Ordinal));
        Assert.Equal("push", present.Origin);
        Assert.Equal("push", present.LatestEvent!.Kind);
        var deleted = answer.Paths[1];
        Assert.False(deleted.Present);
        Assert.Equal(gone.Info.StorePath.FullPath, deleted.StorePath);
        Assert.Equal("delete", deleted.LatestEvent!.Kind);
        Assert.StartsWith("deleted by token", deleted.LatestEvent.Reason);
        Assert.Equal("admin (created at first start)", deleted.LatestEvent.TokenName);
        var renamed = answer.Paths[2];
        Assert.False(renamed.Present);
        Assert.Null(renamed.LatestEvent);
        Assert.Equal([top.Info.StorePath.FullPath], renamed.SameName!.Select(s => s.StorePath));
        Assert.False(answer.Paths[3].Present);
        Assert.Null(answer.Paths[3].LatestEvent);
        Assert.Null(answer.Paths[3].SameName);
    }

    [Fact]
    public async Task A_private_cache_answers_nothing_without_a_read_grant()
    {
        var cache = Unique("private");
        await _app.CreateCacheAsync(cache);
        using var admin = _app.CreateClient(_app.AdminToken);
        var path = await PushedPath.CreateAsync();
        await path.PushAsync(admin, cache);
        var (elsewhere, _) = await _app.CreateTokenAsync(new GrantDto("elsewhere", ["read"]));
        var (reader, _) = await _app.CreateTokenAsync(new GrantDto(cache, ["read"]));
        using var anonymous = _app.CreateClient();
        using var stranger = _app.CreateClient(elsewhere);
        using var allowed = _app.CreateClient(reader);

        var anonymousBody = await ApiAssert.ErrorAsync(
            await anonymous.PostAsync($"api/v1/caches/{cache}/paths/status", Body(path.HashPart)), HttpStatusCode.Unauthorized);
        using var strangerResponse = await stranger.PostAsync($"api/v1/caches/{cache}/paths/status", Body(path.HashPart));

        Assert.DoesNotContain(path.HashPart, anonymousBody);
        Assert.True(strangerResponse.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"got {strangerResponse.StatusCode}");
        Assert.DoesNotContain(path.HashPart, await strangerResponse.Content.ReadAsStringAsync());
        Assert.True((await StatusAsync(allowed, cache, path.HashPart)).Paths[0].Present);
    }

    [Theory]
    [InlineData("""{"paths":["not-a-path"]}""", "invalid path 'not-a-path'")]
    [InlineData("""{"paths":["/other/store/0123456789abcdfghijklmnpqrsvwxyz-x"]}""", "expected a store path in /nix/store")]
    [InlineData("""{"paths":["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-x/sub"]}""", "invalid path")]
    [InlineData("""{}""", "'paths' (store paths or hash parts) is required")]
    [InlineData("""{"paths": 3}""", "invalid JSON body")]
    public async Task Bad_input_is_400_naming_the_problem(string body, string message)
    {
        var cache = Unique("bad");
        await _app.CreateCacheAsync(cache);
        using var client = _app.CreateClient(_app.AdminToken);

        using var response = await client.PostAsync($"api/v1/caches/{cache}/paths/status", new StringContent(body, Encoding.UTF8, "application/json"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task More_paths_than_the_limit_is_400_naming_the_limit_and_the_limit_itself_is_answered()
    {
        var cache = Unique("limit");
        await _app.CreateCacheAsync(cache);
        using var client = _app.CreateClient(_app.AdminToken);
        var atLimit = Enumerable.Range(0, PathStatusRequest.MaxPaths).Select(_ => $"/nix/store/{PushedPath.RandomHashPart()}-some-package-1.0").ToArray();

        using var tooMany = await client.PostAsync($"api/v1/caches/{cache}/paths/status", Body([.. atLimit, PushedPath.RandomHashPart()]));
        var answer = await StatusAsync(client, cache, atLimit);

        await ApiAssert.ErrorAsync(tooMany, HttpStatusCode.BadRequest, $"at most {PathStatusRequest.MaxPaths} per request");
        Assert.Equal(PathStatusRequest.MaxPaths, answer.Paths.Count);
        Assert.All(answer.Paths, p => Assert.False(p.Present));
    }
}
