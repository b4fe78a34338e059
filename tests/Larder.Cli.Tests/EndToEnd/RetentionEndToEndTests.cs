using System.Net;
using System.Text.Json;
using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>
/// Retention with the real CLI, server process and Nix: size eviction keeps closures whole, deletion refuses or
/// recurses, and every bad input names its problem.
/// </summary>
public sealed class RetentionEndToEndTests(LarderFixture fixture) : IClassFixture<LarderFixture>, IAsyncLifetime
{
    private CollectableServer _server = null!;

    public async Task InitializeAsync() => _server = await CollectableServer.StartAsync(fixture, "larder-retention");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ProcessResult> LarderAsync(params string[] args) => _server.LarderAsync(args);

    private async Task<long> StoredBytesAsync(string cache)
    {
        var info = (await LarderAsync("cache", "info", cache, "--json")).EnsureSuccess().Stdout;
        return JsonDocument.Parse(info).RootElement.GetProperty("stats").GetProperty("storedBytes").GetInt64();
    }

    private static string HashPart(string storePath) => Path.GetFileName(storePath)[..32];

    [Fact]
    public async Task Size_eviction_keeps_whole_closures_and_the_kept_closure_substitutes_into_a_fresh_store()
    {
        var cache = await _server.CreateCacheAsync("lru");
        var salt = Guid.NewGuid().ToString("N");
        var shortChain = await fixture.Nix.BuildChainAsync(3, salt);
        var other = await fixture.Nix.BuildChainAsync(3, Guid.NewGuid().ToString("N"));
        var longChain = await fixture.Nix.BuildChainAsync(5, salt);
        // Pushed in this order, the short chain is the least recently used, but the long chain (pushed last) references it.
        (await LarderAsync("push", cache, shortChain)).EnsureSuccess();
        var beforeOther = await StoredBytesAsync(cache);
        (await LarderAsync("push", cache, other)).EnsureSuccess();
        var otherBytes = await StoredBytesAsync(cache) - beforeOther;
        (await LarderAsync("push", cache, longChain)).EnsureSuccess();
        var total = await StoredBytesAsync(cache);
        (await LarderAsync("cache", "configure", cache, "--max-size", (total - otherBytes).ToString(System.Globalization.CultureInfo.InvariantCulture))).EnsureSuccess();

        var dryRun = (await LarderAsync("cache", "gc", cache, "--dry-run")).EnsureSuccess();
        var gc = (await LarderAsync("cache", "gc", cache)).EnsureSuccess();

        var otherClosure = await fixture.Nix.ClosureAsync(other);
        var keptClosure = await fixture.Nix.ClosureAsync(longChain);
        Assert.Contains($"would evict {otherClosure.Length} path(s)", dryRun.Stdout);
        Assert.Contains($"evicted {otherClosure.Length} path(s)", gc.Stdout);
        Assert.Contains("evicted: max-size", gc.Stdout);
        // Walk every path ever pushed: what the cache serves has all its references served.
        using var http = new HttpClient { BaseAddress = new Uri(_server.Server.BaseUrl + "/") };
        var served = new HashSet<string>();
        foreach (var path in keptClosure.Concat(otherClosure).Distinct())
        {
            using var response = await http.GetAsync($"{cache}/{HashPart(path)}.narinfo");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                served.Add(HashPart(path));
                var text = await response.Content.ReadAsStringAsync();
                var references = text.Split('\n').Single(l => l.StartsWith("References:", StringComparison.Ordinal))["References:".Length..]
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries);
                foreach (var reference in references)
                {
                    using var referenced = await http.GetAsync($"{cache}/{reference[..32]}.narinfo");
                    Assert.True(referenced.StatusCode == HttpStatusCode.OK, $"{path} is served but its reference {reference} is not");
                }
            }
        }
        Assert.Equal(keptClosure.Select(HashPart).ToHashSet(), served);
        var publicKey = JsonDocument.Parse((await LarderAsync("cache", "info", cache, "--json")).Stdout).RootElement.GetProperty("publicKey").GetString();
        using var store = new TempDirectory("larder-retention-store");
        var env = fixture.Nix.EnvironmentWith($"trusted-public-keys = {publicKey}\nnarinfo-cache-negative-ttl = 0\nnarinfo-cache-positive-ttl = 0");
        (await NixPeer.TryRunNixAsync(env, "nix", "copy", "--from", $"{_server.Server.BaseUrl}/{cache}", "--to", store.Path, longChain)).EnsureSuccess();
        Assert.All(keptClosure, path => Assert.True(Directory.Exists(store.Path + path) || File.Exists(store.Path + path), $"{path} was not substituted"));
    }

    [Fact]
    public async Task Path_delete_refuses_a_referenced_path_then_deletes_it_recursively_and_path_info_answers_retention()
    {
        var cache = await _server.CreateCacheAsync("del", isPublic: false);
        var top = await fixture.Nix.BuildChainAsync(2, Guid.NewGuid().ToString("N"));
        (await LarderAsync("push", cache, top)).EnsureSuccess();
        var closure = await fixture.Nix.ClosureAsync(top);
        var bottom = closure.First(p => p.EndsWith("fib-0", StringComparison.Ordinal));
        var group = new List<string>();
        foreach (var path in closure)
        {
            if ((await fixture.Nix.ClosureAsync(path)).Contains(bottom))
            {
                group.Add(path);
            }
        }
        (await LarderAsync("cache", "configure", cache, "--retention-days", "30")).EnsureSuccess();

        var info = (await LarderAsync("path-info", cache, bottom)).EnsureSuccess();
        var refused = await LarderAsync("path", "delete", cache, bottom);
        var dry = (await LarderAsync("path", "delete", cache, bottom, "--recursive", "--dry-run")).EnsureSuccess();
        var deleted = (await LarderAsync("path", "delete", cache, bottom, "--recursive")).EnsureSuccess();
        var gone = await LarderAsync("path-info", cache, top);

        Assert.Contains("LastAccessedAt: ", info.Stdout);
        Assert.Contains("Eviction: scheduled", info.Stdout);
        Assert.Contains("kept: referenced by ", info.Stdout);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("409", refused.Stderr);
        Assert.Contains("is referenced by", refused.Stderr);
        Assert.Contains($"would delete {group.Count} path(s)", dry.Stdout);
        Assert.Contains($"deleted {group.Count} path(s)", deleted.Stdout);
        Assert.All(group, p => Assert.Contains(p, deleted.Stdout));
        Assert.NotEqual(0, gone.ExitCode);
        var events = (await LarderAsync("cache", "events", cache)).EnsureSuccess().Stdout;
        Assert.Contains("deleted by token", events);
    }

    [Theory]
    [InlineData("cache|configure|{cache}|--max-size|5X", "--max-size: invalid size '5X': unknown unit 'X'")]
    [InlineData("cache|configure|{cache}|--max-size|big", "--max-size: invalid size 'big'")]
    [InlineData("cache|configure|{cache}|--max-size|0", "--max-size: invalid size '0'")]
    [InlineData("cache|configure|{cache}|--retention-days|-3", "--retention-days must be a whole number of days from 1 to 36500, not -3")]
    [InlineData("cache|configure|{cache}|--retention-days|0", "--retention-days must be a whole number of days from 1 to 36500, not 0")]
    [InlineData("cache|configure|{cache}|--retention-days|3|--no-retention-days", "--retention-days and --no-retention-days contradict each other")]
    [InlineData("cache|configure|{cache}|--max-size|1G|--no-max-size", "--max-size and --no-max-size contradict each other")]
    [InlineData("path|delete|{cache}|/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-gone", "has no path with hash aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("path|delete|{cache}|/nix/store/bad", "is not a valid store path")]
    [InlineData("path|delete|no-such-cache|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "no cache named 'no-such-cache'")]
    [InlineData("cache|gc|no-such-cache", "no cache named 'no-such-cache'")]
    public async Task Bad_retention_input_fails_with_a_message_naming_the_problem(string command, string expected)
    {
        var cache = await _server.CreateCacheAsync("bad", isPublic: false);

        var result = await LarderAsync(command.Replace("{cache}", cache, StringComparison.Ordinal).Split('|'));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
