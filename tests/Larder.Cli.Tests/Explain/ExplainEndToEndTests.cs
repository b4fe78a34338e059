using System.Text.Json;
using Larder.Cli.Tests.EndToEnd;
using Larder.Testing;

namespace Larder.Cli.Tests.Explain;

/// <summary>
/// <c>larder explain</c> with the real CLI, server process and Nix, over real derivation graphs (no nixpkgs): each
/// verdict, the propagation to dependents, and the ranking of root causes.
/// </summary>
public sealed class ExplainEndToEndTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    /// <summary>
    /// leaf ← mid ← top (each output refers to the one before) and side, joined by joined; only leaf reads
    /// <c>leafSalt</c>, so changing it changes leaf's derivation and, through it, mid's and top's.
    /// </summary>
    private static string Expression(string salt, string leafSalt) => $$"""
        let
          salt = "{{salt}}";
          mk = name: extra: deps: derivation ({
            inherit name salt; builder = "/bin/sh"; system = builtins.currentSystem; PATH = "/usr/bin:/bin";
            args = [ "-c" ("mkdir -p $out; echo ${name} > $out/value" + builtins.concatStringsSep "" (map (d: "; echo ${d} >> $out/deps") deps)) ];
          } // extra);
          leaf = mk "leaf" { leafSalt = "{{leafSalt}}"; } [];
          mid = mk "mid" {} [ leaf ];
          top = mk "top" {} [ mid ];
          side = mk "side" {} [];
          joined = mk "joined" {} [ top side ];
        in { inherit leaf mid top side joined; }
        """;

    private string WriteExpression(string salt, string leafSalt = "a") =>
        TestExpressions.Write(fixture.Root, $"explain-{salt}-{leafSalt}.nix", Expression(salt, leafSalt));

    private async Task<string> BuildAsync(string file, string attribute) =>
        (await fixture.Nix.RunNixAsync("nix-build", file, "-A", attribute, "--no-out-link")).Stdout.Trim();

    /// <summary>Deletes built outputs from the local store, so that Nix would have to substitute or build them again.</summary>
    private async Task DeleteLocallyAsync(params string[] paths) =>
        await fixture.Nix.RunNixAsync("nix-store", ["--delete", .. paths]);

    /// <summary>Builds top, pushes its closure (top, mid, leaf) to <paramref name="cache"/> and deletes the three from the local store.</summary>
    private async Task<(string Top, string Mid, string Leaf)> PushAndDeleteLocallyAsync(string file, string cache)
    {
        var top = await BuildAsync(file, "top");
        (await fixture.RunAsync("push", cache, top)).EnsureSuccess();
        var (mid, leaf) = (await BuildAsync(file, "mid"), await BuildAsync(file, "leaf"));
        await DeleteLocallyAsync(top, mid, leaf);
        return (top, mid, leaf);
    }

    private async Task<string> PublicKeyAsync(string cache)
    {
        var info = (await fixture.RunAsync("cache", "info", cache, "--json")).EnsureSuccess().Stdout;
        return JsonDocument.Parse(info).RootElement.GetProperty("publicKey").GetString()!;
    }

    private string CacheUrl(string cache) => $"{fixture.Server.BaseUrl.TrimEnd('/')}/{cache}";

    /// <summary>Runs <c>larder explain FILE -A ATTR --json ARGS</c> for a Nix client configured by <paramref name="nixConfExtra"/>.</summary>
    private async Task<JsonElement> ExplainAsync(string nixConfExtra, string file, string attribute, params string[] args)
    {
        var environment = fixture.NixEnvironmentFor(fixture.NewNixConf(nixConfExtra));
        var result = (await fixture.RunWithAsync(environment, null, ["explain", file, "-A", attribute, "--json", .. args])).EnsureSuccess();
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    private static string SubstituterConf(string url, string key) => $"substituters = {url}\ntrusted-public-keys = {key}\n";

    /// <summary>The verdict entry of the path named <paramref name="name"/> (after its hash).</summary>
    private static JsonElement PathNamed(JsonElement report, string name) =>
        report.GetProperty("paths").EnumerateArray().Single(p => p.GetProperty("path").GetString()!.EndsWith($"-{name}", StringComparison.Ordinal));

    private static string VerdictOf(JsonElement report, string name) => PathNamed(report, name).GetProperty("verdict").GetString()!;

    private static string NameOf(string storePath) => Path.GetFileName(storePath)[33..];

    [Fact]
    public async Task Never_pushed_leaves_are_the_root_causes_ranked_by_the_builds_they_cause()
    {
        var file = WriteExpression(Guid.NewGuid().ToString("N"));
        var cache = await fixture.CreateCacheAsync("never");

        var report = await ExplainAsync(SubstituterConf(CacheUrl(cache), await PublicKeyAsync(cache)), file, "joined");

        Assert.Equal("never-pushed", VerdictOf(report, "leaf"));
        Assert.Equal("never-pushed", VerdictOf(report, "side"));
        foreach (var derived in new[] { "mid", "top", "joined" })
        {
            Assert.Equal("input-will-be-built", VerdictOf(report, derived));
        }
        Assert.Contains("-leaf", PathNamed(report, "mid").GetProperty("message").GetString());
        var causes = report.GetProperty("rootCauses").EnumerateArray().ToList();
        Assert.Equal(["leaf", "side"], causes.Select(c => NameOf(c.GetProperty("path").GetString()!)));
        Assert.Equal([4, 2], causes.Select(c => c.GetProperty("builds").GetInt32()));
        Assert.Equal(5, report.GetProperty("summary").GetProperty("build").GetInt32());
    }

    [Fact]
    public async Task A_deleted_path_is_reported_evicted_with_the_reason_and_its_inputs_substitute()
    {
        var file = WriteExpression(Guid.NewGuid().ToString("N"));
        var cache = await fixture.CreateCacheAsync("evicted");
        var (top, _, leaf) = await PushAndDeleteLocallyAsync(file, cache);
        (await fixture.RunAsync("path", "delete", cache, top)).EnsureSuccess();

        var report = await ExplainAsync(SubstituterConf(CacheUrl(cache), await PublicKeyAsync(cache)), file, "top");

        var verdict = PathNamed(report, "top");
        Assert.Equal("evicted", verdict.GetProperty("verdict").GetString());
        Assert.StartsWith("deleted by token", verdict.GetProperty("reason").GetString());
        Assert.Contains($"deleted from local:{cache}", verdict.GetProperty("message").GetString());
        Assert.Equal("substitutable", VerdictOf(report, "mid"));
        Assert.DoesNotContain(report.GetProperty("paths").EnumerateArray(), p => p.GetProperty("path").GetString() == leaf);
        Assert.Equal([top], report.GetProperty("rootCauses").EnumerateArray().Select(c => c.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task A_path_evicted_by_garbage_collection_is_reported_with_the_date_and_the_max_size_reason()
    {
        await using var server = await CollectableServer.StartAsync(fixture, "larder-explain-gc");
        var file = WriteExpression(Guid.NewGuid().ToString("N"));
        var cache = await server.CreateCacheAsync("gc");
        async Task<long> StoredBytesAsync() =>
            JsonDocument.Parse((await server.LarderAsync("cache", "info", cache, "--json")).EnsureSuccess().Stdout)
                .RootElement.GetProperty("stats").GetProperty("storedBytes").GetInt64();
        // side is pushed first, so it is the least recently used when the cache outgrows its max-size.
        var side = await BuildAsync(file, "side");
        (await server.LarderAsync("push", cache, side)).EnsureSuccess();
        var sideBytes = await StoredBytesAsync();
        var top = await BuildAsync(file, "top");
        (await server.LarderAsync("push", cache, top)).EnsureSuccess();
        var maxSize = await StoredBytesAsync() - sideBytes;
        (await server.LarderAsync("cache", "configure", cache, "--max-size", maxSize.ToString(System.Globalization.CultureInfo.InvariantCulture))).EnsureSuccess();
        await DeleteLocallyAsync(side, top, await BuildAsync(file, "mid"), await BuildAsync(file, "leaf"));
        var beforeGc = DateTimeOffset.UtcNow;
        var gc = (await server.LarderAsync("cache", "gc", cache)).EnsureSuccess();
        var afterGc = DateTimeOffset.UtcNow;
        var url = $"{server.Server.BaseUrl}/{cache}";
        var publicKey = JsonDocument.Parse((await server.LarderAsync("cache", "info", cache, "--json")).Stdout).RootElement.GetProperty("publicKey").GetString()!;
        var environment = fixture.NixEnvironmentFor(fixture.NewNixConf(SubstituterConf(url, publicKey)));
        foreach (var (key, value) in server.CliEnvironment(server.Server.AdminToken))
        {
            environment[key] = value;
        }

        var explained = (await fixture.RunWithAsync(environment, null, "explain", file, "-A", "joined", "--json")).EnsureSuccess();

        Assert.Contains("evicted 1 path(s)", gc.Stdout);
        var report = JsonDocument.Parse(explained.Stdout).RootElement;
        var verdict = PathNamed(report, "side");
        Assert.Equal("evicted", verdict.GetProperty("verdict").GetString());
        Assert.Equal("evicted: max-size", verdict.GetProperty("reason").GetString());
        var at = verdict.GetProperty("at").GetDateTimeOffset();
        Assert.InRange(at, beforeGc.AddSeconds(-1), afterGc.AddSeconds(1));
        Assert.Equal($"evicted from {url} on {at.UtcDateTime:yyyy-MM-dd HH:mm}Z: evicted: max-size", verdict.GetProperty("message").GetString());
        Assert.Equal("substitutable", VerdictOf(report, "top"));
        Assert.Equal("input-will-be-built", VerdictOf(report, "joined"));
        Assert.Equal([side], report.GetProperty("rootCauses").EnumerateArray().Select(c => c.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task A_path_in_a_cache_that_is_not_a_substituter_names_that_cache()
    {
        var file = WriteExpression(Guid.NewGuid().ToString("N"));
        var used = await fixture.CreateCacheAsync("used");
        var unused = await fixture.CreateCacheAsync("unused");
        await PushAndDeleteLocallyAsync(file, unused);

        var report = await ExplainAsync(SubstituterConf(CacheUrl(used), await PublicKeyAsync(used)), file, "top", "--cache", unused);

        var verdict = PathNamed(report, "top");
        Assert.Equal("not-a-substituter", verdict.GetProperty("verdict").GetString());
        Assert.Equal(CacheUrl(unused), verdict.GetProperty("source").GetString());
        Assert.Contains("not in substituters", verdict.GetProperty("message").GetString());
        Assert.Equal("not-a-substituter", VerdictOf(report, "leaf"));
        Assert.True(verdict.GetProperty("downloadSize").GetInt64() > 0);
    }

    [Fact]
    public async Task A_path_signed_by_an_untrusted_key_names_the_key()
    {
        var file = WriteExpression(Guid.NewGuid().ToString("N"));
        var cache = await fixture.CreateCacheAsync("untrusted");
        await PushAndDeleteLocallyAsync(file, cache);
        var cacheKeyName = (await PublicKeyAsync(cache)).Split(':')[0];

        // Trusting only another key (the Nix peer's), as after a key rotation the client did not follow.
        var report = await ExplainAsync(SubstituterConf(CacheUrl(cache), fixture.Nix.PublicKey), file, "top");

        var verdict = PathNamed(report, "top");
        Assert.Equal("untrusted-key", verdict.GetProperty("verdict").GetString());
        Assert.Equal([cacheKeyName], verdict.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        Assert.Contains($"signed by {cacheKeyName}", verdict.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_changed_input_is_found_by_name_and_the_differing_input_is_named()
    {
        var salt = Guid.NewGuid().ToString("N");
        var pushedFile = WriteExpression(salt, leafSalt: "before");
        var cache = await fixture.CreateCacheAsync("changed");
        var top = await BuildAsync(pushedFile, "top");
        (await fixture.RunAsync("push", cache, top)).EnsureSuccess();
        var changedFile = WriteExpression(salt, leafSalt: "after");

        var report = await ExplainAsync(SubstituterConf(CacheUrl(cache), await PublicKeyAsync(cache)), changedFile, "top");

        var leaf = PathNamed(report, "leaf");
        Assert.Equal("changed-input", leaf.GetProperty("verdict").GetString());
        Assert.Equal(await BuildAsync(pushedFile, "leaf"), leaf.GetProperty("pushedPath").GetString());
        Assert.Contains(leaf.GetProperty("differences").EnumerateArray(), d => d.GetString() == "environment variable leafSalt ('after' here, 'before' pushed)");
        Assert.Equal("input-will-be-built", VerdictOf(report, "mid"));
        Assert.Equal("input-will-be-built", VerdictOf(report, "top"));
        var cause = Assert.Single(report.GetProperty("rootCauses").EnumerateArray());
        Assert.Equal(leaf.GetProperty("path").GetString(), cause.GetProperty("path").GetString());
        Assert.Equal(3, cause.GetProperty("builds").GetInt32());
    }

    [Fact]
    public async Task A_path_whose_reference_no_substituter_has_is_an_incomplete_closure()
    {
        var file = WriteExpression(Guid.NewGuid().ToString("N"));
        var cache = LarderFixture.NewCacheName("partial");
        (await fixture.RunAsync("cache", "create", cache, "--public", "--upstream-key", "larder-test-peer-1")).EnsureSuccess();
        var top = await BuildAsync(file, "top");
        var mid = await BuildAsync(file, "mid");
        var leaf = await BuildAsync(file, "leaf");
        // Signed by the cache's upstream key, leaf is left out of the push: it should come from an upstream.
        await fixture.Nix.RunNixAsync("nix", "store", "sign", "--key-file", fixture.Nix.SecretKeyFile, leaf);
        (await fixture.RunAsync("push", cache, top)).EnsureSuccess();
        await DeleteLocallyAsync(top, mid, leaf);

        var report = await ExplainAsync(SubstituterConf(CacheUrl(cache), await PublicKeyAsync(cache)), file, "top");

        var midVerdict = PathNamed(report, "mid");
        Assert.Equal("missing-reference", midVerdict.GetProperty("verdict").GetString());
        Assert.Equal([leaf], midVerdict.GetProperty("missingReferences").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("does not hold", midVerdict.GetProperty("message").GetString());
        Assert.Equal("missing-reference", VerdictOf(report, "top"));
        Assert.Equal("never-pushed", VerdictOf(report, "leaf"));
    }

    [Fact]
    public async Task Without_json_the_report_is_a_tree_of_builds_under_the_ranked_root_causes()
    {
        var file = WriteExpression(Guid.NewGuid().ToString("N"));
        var cache = await fixture.CreateCacheAsync("text");
        var environment = fixture.NixEnvironmentFor(fixture.NewNixConf(SubstituterConf(CacheUrl(cache), await PublicKeyAsync(cache))));

        var result = (await fixture.RunWithAsync(environment, null, "explain", file, "-A", "top")).EnsureSuccess();

        Assert.Contains("3 to build, 0 to download", result.Stdout);
        Assert.Contains("Root causes", result.Stdout);
        Assert.Matches(@" 1\. /nix/store/[0-9a-z]{32}-leaf \(never-pushed; causes 3 build\(s\)\)", result.Stdout);
        Assert.DoesNotContain("\u001b[", result.Stdout);
        var topLine = result.Stdout.Split('\n').Single(l => l.Contains("-top will be built", StringComparison.Ordinal));
        var leafLine = result.Stdout.Split('\n').Single(l => l.Contains("-leaf missing everywhere", StringComparison.Ordinal));
        Assert.True(leafLine.IndexOf('/') > topLine.IndexOf('/'), "the leaf is drawn deeper in the tree than top");
    }
}
