using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Larder.Contracts;
using Larder.Contracts.Caches;
using Larder.Contracts.Explain;
using Larder.Contracts.Tokens;
using Larder.Nix.Nar;
using Larder.Nix.Signing;
using Larder.Server.Storage;
using Larder.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Tests.Upstreams;

/// <summary>
/// Read-through caches against real upstreams (a folder the real Nix wrote, served as static files, or a second
/// Larder), substituted from by the real Nix.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ReadThroughTests(ReadThroughFixture fixture) : IClassFixture<ReadThroughFixture>
{
    private LarderApplication App => fixture.App;

    [Theory]
    [InlineData("xz")]
    [InlineData("zstd")]
    [InlineData("none")]
    public async Task Nix_substitutes_through_the_cache_which_stores_the_closure_so_the_next_client_does_not_touch_the_upstream(string compression)
    {
        var nix = await NixPeer.GetAsync();
        var (upstream, output) = await UpstreamWithChainAsync(nix, 2, compression);
        await using var _ = upstream;
        var cache = await CreateCacheAsync(upstream.Url, nix.PublicKey, "store");

        await SubstituteAsync(nix, cache, output);
        await WaitUntilStoredAsync(cache, await nix.ClosureAsync(output));
        int requests = upstream.Requests;
        await SubstituteAsync(nix, cache, output);

        Assert.Equal(requests, upstream.Requests);
        var cacheId = (await App.Metadata.GetCacheAsync(cache.Name, CancellationToken.None))!.Id;
        var stored = await App.Metadata.GetPathAsync(cacheId, HashPart(output), CancellationToken.None);
        Assert.Equal(upstream.Url, stored!.Path.Origin);
        using var admin = App.CreateClient(App.AdminToken);
        var info = await admin.GetFromJsonAsync($"api/v1/caches/{cache.Name}/paths/{HashPart(output)}", Larder.Contracts.Paths.PathJsonContext.Default.PathInfoDto);
        Assert.Equal(upstream.Url, info!.Origin);
        using var status = await admin.PostAsJsonAsync(
            $"api/v1/caches/{cache.Name}/paths/status", new PathStatusRequest([output]), ExplainJsonContext.Default.PathStatusRequest);
        var explained = await status.Content.ReadFromJsonAsync(ExplainJsonContext.Default.PathStatusesDto);
        Assert.Equal("upstream", Assert.Single(explained!.Paths).Origin);
        var narInfo = await GetNarInfoAsync(cache.Name, HashPart(output));
        Assert.Contains($"\nSig: {KeyName(nix.PublicKey)}:", narInfo);
        Assert.Contains($"\nSig: {KeyName(cache.PublicKey)}:", narInfo);
    }

    [Fact]
    public async Task A_second_larder_serves_as_upstream_and_is_not_needed_once_the_closure_is_stored()
    {
        var nix = await NixPeer.GetAsync();
        var upstream = await LarderApplication.StartAsync();
        var upstreamCache = await upstream.CreateCacheAsync(NewName(), isPublic: true);
        var (writer, _) = await upstream.CreateTokenAsync(new GrantDto(upstreamCache.Name, ["read", "write"]));
        var output = await nix.BuildChainAsync(3, Guid.NewGuid().ToString());
        var upstreamUrl = $"{upstream.BaseAddress}{upstreamCache.Name}";
        (await NixPeer.TryRunNixAsync(nix.EnvironmentWith($"netrc-file = {nix.WriteNetrc("127.0.0.1", writer)}"),
            "nix", "copy", "--to", $"{upstreamUrl}?compression=zstd", output)).EnsureSuccess();
        var cache = await CreateCacheAsync(upstreamUrl, upstreamCache.PublicKey, "store");

        try
        {
            await SubstituteAsync(nix, cache, output, upstreamCache.PublicKey);
            await WaitUntilStoredAsync(cache, await nix.ClosureAsync(output));
        }
        finally
        {
            await upstream.DisposeAsync();
        }
        await SubstituteAsync(nix, cache, output, upstreamCache.PublicKey);
    }

    [Fact]
    public async Task Proxy_mode_serves_nix_through_the_cache_and_stores_nothing()
    {
        var nix = await NixPeer.GetAsync();
        var (upstream, output) = await UpstreamWithChainAsync(nix, 2, "zstd");
        await using var _ = upstream;
        var cache = await CreateCacheAsync(upstream.Url, nix.PublicKey, "proxy");

        await SubstituteAsync(nix, cache, output);
        int requests = upstream.Requests;
        await SubstituteAsync(nix, cache, output);

        Assert.True(upstream.Requests > requests, "a proxy fetches every NAR from the upstream");
        var cacheId = (await App.Metadata.GetCacheAsync(cache.Name, CancellationToken.None))!.Id;
        Assert.Equal(0, (await App.Metadata.GetCacheStatsAsync(cacheId, CancellationToken.None)).PathCount);
    }

    [Fact]
    public async Task A_path_signed_by_a_key_the_cache_does_not_trust_is_absent()
    {
        var nix = await NixPeer.GetAsync();
        var (upstream, output) = await UpstreamWithChainAsync(nix, 0, "zstd");
        await using var _ = upstream;
        // The same key name with another key: only the signature itself can tell them apart.
        var impostor = SecretKey.Generate(KeyName(nix.PublicKey)).PublicKey.ToString();
        var cache = await CreateCacheAsync(upstream.Url, impostor, "store");
        using var client = App.CreateClient();

        using var narInfo = await client.GetAsync($"{cache.Name}/{HashPart(output)}.narinfo");
        using var nar = await client.GetAsync($"{cache.Name}/nar/upstream-{HashPart(output)}.nar.zst");

        Assert.Equal(HttpStatusCode.NotFound, narInfo.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nar.StatusCode);
        Assert.True(upstream.Requests > 0, "the upstream was asked");
    }

    [Theory]
    [InlineData(UpstreamBehaviour.Hang)]
    [InlineData(UpstreamBehaviour.Fail)]
    public async Task A_failing_upstream_gives_a_clean_miss_within_the_timeout_that_is_not_remembered(UpstreamBehaviour behaviour)
    {
        var nix = await NixPeer.GetAsync();
        var (upstream, output) = await UpstreamWithChainAsync(nix, 0, "zstd");
        await using var _ = upstream;
        var cache = await CreateCacheAsync(upstream.Url, nix.PublicKey, "store");
        using var client = App.CreateClient();
        upstream.Behaviour = behaviour;

        var clock = Stopwatch.StartNew();
        using var miss = await client.GetAsync($"{cache.Name}/{HashPart(output)}.narinfo");
        clock.Stop();
        upstream.Behaviour = UpstreamBehaviour.Serve;
        using var hit = await client.GetAsync($"{cache.Name}/{HashPart(output)}.narinfo");

        Assert.Equal(HttpStatusCode.NotFound, miss.StatusCode);
        Assert.True(miss.Headers.CacheControl?.NoStore, "a miss must not be cached");
        Assert.True(clock.Elapsed < ReadThroughFixture.Timeout + TimeSpan.FromSeconds(2), $"the client waited {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
    }

    [Fact]
    public async Task An_upstream_that_stalls_mid_nar_fails_nix_within_the_timeout_stores_nothing_and_serves_once_recovered()
    {
        var nix = await NixPeer.GetAsync();
        var (upstream, output) = await UpstreamWithChainAsync(nix, 0, "none");
        await using var _ = upstream;
        var cache = await CreateCacheAsync(upstream.Url, nix.PublicKey, "store");
        var blobsBefore = await BlobKeysAsync();
        upstream.Behaviour = UpstreamBehaviour.StallNar;

        using var store = new TempDirectory("larder-store");
        var clock = Stopwatch.StartNew();
        var stalled = await TrySubstituteAsync(nix, cache, output, store.Path);
        clock.Stop();
        var cacheId = (await App.Metadata.GetCacheAsync(cache.Name, CancellationToken.None))!.Id;
        var storedAfterStall = await App.Metadata.GetPathAsync(cacheId, HashPart(output), CancellationToken.None);
        var narInfoAfterStall = await GetNarInfoAsync(cache.Name, HashPart(output));
        var newBlobs = (await BlobKeysAsync()).Except(blobsBefore).ToList();
        upstream.Behaviour = UpstreamBehaviour.Serve;
        await SubstituteAsync(nix, cache, output);
        await WaitUntilStoredAsync(cache, [output]);

        Assert.NotEqual(0, stalled.ExitCode);
        // Without the server's idle timeout the client would wait for Nix's stalled-download-timeout (300 s).
        Assert.True(clock.Elapsed < ReadThroughFixture.Timeout + TimeSpan.FromSeconds(10), $"the client waited {clock.Elapsed}");
        Assert.Null(storedAfterStall);
        Assert.Contains($"URL: nar/upstream-{HashPart(output)}.nar\n", narInfoAfterStall);
        Assert.Empty(newBlobs);
        Assert.True(Directory.Exists(Path.Combine(App.DataDir, "staging")), "the staging folder is where it is expected");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(App.DataDir, "staging")));
    }

    [Fact]
    public async Task A_path_stored_from_an_upstream_is_evicted_by_retention_like_any_other_then_read_through_again()
    {
        var nix = await NixPeer.GetAsync();
        var (upstream, output) = await UpstreamWithChainAsync(nix, 0, "zstd");
        await using var _ = upstream;
        var cache = await CreateCacheAsync(upstream.Url, nix.PublicKey, "store");
        await SubstituteAsync(nix, cache, output);
        await WaitUntilStoredAsync(cache, [output]);
        using var admin = App.CreateClient(App.AdminToken);
        using (var configured = await admin.PatchAsJsonAsync(
            $"api/v1/caches/{cache.Name}", new UpdateCacheRequest(MaxSizeBytes: 1), LarderJsonContext.Default.UpdateCacheRequest))
        {
            Assert.True(configured.IsSuccessStatusCode, await configured.Content.ReadAsStringAsync());
        }

        using var gc = await admin.PostAsync($"api/v1/caches/{cache.Name}/gc", content: null);

        Assert.True(gc.IsSuccessStatusCode, await gc.Content.ReadAsStringAsync());
        var cacheId = (await App.Metadata.GetCacheAsync(cache.Name, CancellationToken.None))!.Id;
        Assert.Null(await App.Metadata.GetPathAsync(cacheId, HashPart(output), CancellationToken.None));
        using var status = await admin.PostAsJsonAsync(
            $"api/v1/caches/{cache.Name}/paths/status", new PathStatusRequest([output]), ExplainJsonContext.Default.PathStatusRequest);
        var explained = Assert.Single((await status.Content.ReadFromJsonAsync(ExplainJsonContext.Default.PathStatusesDto))!.Paths);
        Assert.Equal(("evict", "evicted: max-size"), (explained.LatestEvent?.Kind, explained.LatestEvent?.Reason));
        Assert.Contains($"URL: nar/upstream-{HashPart(output)}.nar.zst\n", await GetNarInfoAsync(cache.Name, HashPart(output)));
        await SubstituteAsync(nix, cache, output);
    }

    [Fact]
    public async Task An_upstream_miss_is_remembered_so_the_upstream_is_asked_once()
    {
        await using var upstream = await StaticBinaryCache.StartAsync();
        var nix = await NixPeer.GetAsync();
        var cache = await CreateCacheAsync(upstream.Url, nix.PublicKey, "store");
        using var client = App.CreateClient();
        var hashPart = HashPart("/nix/store/" + new string('0', 32) + "-absent");

        using var first = await client.GetAsync($"{cache.Name}/{hashPart}.narinfo");
        int requests = upstream.Requests;
        using var second = await client.GetAsync($"{cache.Name}/{hashPart}.narinfo");

        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal(1, requests);
        Assert.Equal(requests, upstream.Requests);
    }

    [Fact]
    public async Task A_nar_that_does_not_match_the_upstream_narinfo_is_not_stored()
    {
        var nix = await NixPeer.GetAsync();
        var (upstream, output) = await UpstreamWithChainAsync(nix, 0, "none");
        await using var _ = upstream;
        await TamperContentsAsync(Directory.EnumerateFiles(Path.Combine(upstream.Folder, "nar")).Single());
        var cache = await CreateCacheAsync(upstream.Url, nix.PublicKey, "store");
        using var client = App.CreateClient();

        var narInfo = await GetNarInfoAsync(cache.Name, HashPart(output));
        var narUrl = narInfo.Split('\n').Single(l => l.StartsWith("URL: ", StringComparison.Ordinal))["URL: ".Length..];
        try
        {
            await client.GetByteArrayAsync($"{cache.Name}/{narUrl}");
        }
        catch (HttpRequestException)
        {
            // The cache cuts a NAR it finds bad; the client must not get a clean end.
        }

        var cacheId = (await App.Metadata.GetCacheAsync(cache.Name, CancellationToken.None))!.Id;
        Assert.Null(await App.Metadata.GetPathAsync(cacheId, HashPart(output), CancellationToken.None));
        Assert.Contains($"URL: nar/upstream-{HashPart(output)}.nar\n", await GetNarInfoAsync(cache.Name, HashPart(output)));
    }

    [Fact]
    public async Task A_private_cache_asks_its_upstreams_only_for_requests_with_read_access()
    {
        var nix = await NixPeer.GetAsync();
        var (upstream, output) = await UpstreamWithChainAsync(nix, 0, "zstd");
        await using var _ = upstream;
        var cache = await CreateCacheAsync(upstream.Url, nix.PublicKey, "store", isPublic: false);
        var reader = (await App.CreateTokenAsync(new GrantDto(cache.Name, ["read"]))).Secret;
        using var anonymous = App.CreateClient();
        using var withToken = App.CreateClient(reader);

        using var refused = await anonymous.GetAsync($"{cache.Name}/{HashPart(output)}.narinfo");
        int requests = upstream.Requests;
        using var served = await withToken.GetAsync($"{cache.Name}/{HashPart(output)}.narinfo");

        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(0, requests);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    /// <summary>A new upstream holding a new chain of <paramref name="n"/>+1 paths; returns it and the chain's last output.</summary>
    private static async Task<(StaticBinaryCache Upstream, string Output)> UpstreamWithChainAsync(NixPeer nix, int n, string compression)
    {
        var upstream = await StaticBinaryCache.StartAsync();
        var output = await nix.BuildChainAsync(n, Guid.NewGuid().ToString());
        await upstream.CopyAsync(nix, output, compression);
        return (upstream, output);
    }

    private async Task<CacheDto> CreateCacheAsync(string upstreamUrl, string upstreamKey, string mode, bool isPublic = true)
    {
        using var client = App.CreateClient(App.AdminToken);
        using var response = await client.PostAsJsonAsync(
            "api/v1/caches",
            new CreateCacheRequest(NewName(), isPublic, UpstreamUrls: [upstreamUrl], UpstreamKeys: [upstreamKey], UpstreamMode: mode),
            LarderJsonContext.Default.CreateCacheRequest);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(LarderJsonContext.Default.CacheDto))!;
    }

    /// <summary>Realises <paramref name="output"/> in a fresh store with the cache as the only substituter and checks the closure arrived intact.</summary>
    private static async Task SubstituteAsync(NixPeer nix, CacheDto cache, string output, string? trustedKey = null)
    {
        using var store = new TempDirectory("larder-store");
        (await TrySubstituteAsync(nix, cache, output, store.Path, trustedKey)).EnsureSuccess();
        foreach (var path in await nix.ClosureAsync(output))
        {
            Assert.Equal(await NarHashing.HashPathAsync(path), await NarHashing.HashPathAsync(store.Path + path));
        }
    }

    /// <summary>Runs <c>nix-store --realise</c> of <paramref name="output"/> in <paramref name="store"/> with the cache as the only substituter.</summary>
    private static Task<ProcessResult> TrySubstituteAsync(NixPeer nix, CacheDto cache, string output, string store, string? trustedKey = null)
    {
        var env = nix.EnvironmentWith($"substituters = {cache.SubstituterUrl}\ntrusted-public-keys = {trustedKey ?? nix.PublicKey}");
        return NixPeer.TryRunNixAsync(env, "nix-store", "--store", store, "--realise", output);
    }

    private async Task<HashSet<string>> BlobKeysAsync()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in App.Services.GetRequiredService<IBlobStore>().ListAsync("", CancellationToken.None))
        {
            keys.Add(blob.Key);
        }
        return keys;
    }

    /// <summary>Storing finishes just after the client has the last byte: waits until every path of the closure is stored.</summary>
    private async Task WaitUntilStoredAsync(CacheDto cache, IReadOnlyList<string> closure)
    {
        var cacheId = (await App.Metadata.GetCacheAsync(cache.Name, CancellationToken.None))!.Id;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await App.Metadata.FindMissingAsync(cacheId, [.. closure.Select(HashPart)], CancellationToken.None)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the closure was not stored within 30 seconds");
            await Task.Delay(50);
        }
    }

    private async Task<string> GetNarInfoAsync(string cacheName, string hashPart)
    {
        using var client = App.CreateClient();
        return await client.GetStringAsync($"{cacheName}/{hashPart}.narinfo");
    }

    /// <summary>Changes the first byte of the file contents in an uncompressed NAR: still a valid NAR, with another NarHash.</summary>
    private static async Task TamperContentsAsync(string narFile)
    {
        File.SetUnixFileMode(narFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = await File.ReadAllBytesAsync(narFile);
        var marker = Encoding.ASCII.GetBytes("contents");
        int at = bytes.AsSpan().IndexOf(marker) + 8 + 8;
        bytes[at] ^= 0x01;
        await File.WriteAllBytesAsync(narFile, bytes);
    }

    private static string HashPart(string storePath) => Path.GetFileName(storePath)[..32];

    private static string KeyName(string key) => key[..key.IndexOf(':', StringComparison.Ordinal)];

    private static string NewName() => $"rt-{Guid.NewGuid():N}"[..20];
}
