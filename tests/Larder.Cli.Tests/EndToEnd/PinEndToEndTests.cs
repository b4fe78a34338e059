using System.Text.Json;
using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>
/// Pins with the real CLI, server process and Nix 2.8: the pin tarball substitutes a closure into a fresh store without
/// building anything and follows a re-pin at once; keep rules decide what garbage collection may take; bad input is
/// refused with nothing changed.
/// </summary>
public sealed class PinEndToEndTests(LarderFixture fixture) : IClassFixture<LarderFixture>, IAsyncLifetime
{
    private CollectableServer _server = null!;

    // No recent-push protection, so that only pins keep what was just pushed.
    public async Task InitializeAsync() => _server = await CollectableServer.StartAsync(fixture, "larder-pins");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ProcessResult> LarderAsync(params string[] args) => _server.LarderAsync(args);

    private Task<ProcessResult> LarderAsAsync(string token, params string[] args) => _server.LarderAsAsync(token, args);

    private Task<string> PublicCacheAsync(string prefix) => _server.CreateCacheAsync(prefix);

    /// <summary>A Nix client whose only substituter is the cache, that refetches tarballs every time.</summary>
    private async Task<IReadOnlyDictionary<string, string>> ClientOfAsync(string cache)
    {
        var publicKey = JsonDocument.Parse((await LarderAsync("cache", "info", cache, "--json")).EnsureSuccess().Stdout)
            .RootElement.GetProperty("publicKey").GetString();
        return fixture.Nix.EnvironmentWith($"substituters = {_server.Server.BaseUrl}/{cache}\ntrusted-public-keys = {publicKey}\ntarball-ttl = 0");
    }

    private static string[] StoreContents(string store) =>
        Directory.Exists(Path.Combine(store, "nix", "store"))
            ? [.. Directory.GetFileSystemEntries(Path.Combine(store, "nix", "store")).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Select(n => n!)]
            : [];

    [Fact]
    public async Task The_pin_tarball_substitutes_the_closure_into_a_fresh_store_building_nothing_and_follows_a_repin()
    {
        var cache = await PublicCacheAsync("tarball");
        var first = await fixture.Nix.BuildChainAsync(3, Guid.NewGuid().ToString("N"));
        var second = await fixture.Nix.BuildChainAsync(2, Guid.NewGuid().ToString("N"));
        var pushed = (await LarderAsync("push", cache, first, "--pin", "app")).EnsureSuccess();
        var nix = await ClientOfAsync(cache);
        var url = $"{_server.Server.BaseUrl}/{cache}/pins.tar.gz";
        using var store = new TempDirectory("larder-pins-store");

        var evaluated = await NixPeer.TryRunNixAsync(nix, "nix", "eval", "--raw", "-f", url, "app", "--store", store.Path);
        (await LarderAsync("push", cache, second, "--pin", "app")).EnsureSuccess();
        var repinned = await NixPeer.TryRunNixAsync(nix, "nix", "eval", "--raw", "-f", url, "app", "--store", store.Path);
        // Nix 2.8's `nix build` takes only derivations from an expression: it substitutes the path while evaluating, then refuses it.
        using var buildStore = new TempDirectory("larder-pins-build");
        var built = await NixPeer.TryRunNixAsync(nix, "nix", "build", "-f", url, "app", "--store", buildStore.Path, "--no-link");

        Assert.Contains($"pin 'app' is revision 1: {first}", pushed.Stderr);
        Assert.Equal(first, evaluated.EnsureSuccess().Stdout.Trim());
        Assert.Equal(second, repinned.EnsureSuccess().Stdout.Trim());
        var firstClosure = (await fixture.Nix.ClosureAsync(first)).Select(n => Path.GetFileName(n)).ToHashSet();
        var closures = firstClosure.Concat((await fixture.Nix.ClosureAsync(second)).Select(n => Path.GetFileName(n))).ToHashSet();
        var contents = StoreContents(store.Path);
        Assert.Subset(contents.ToHashSet(), firstClosure);
        // Besides the closures, only the unpacked tarballs (source) are in the store: nothing was built.
        Assert.All(contents.Where(n => !closures.Contains(n)), n => Assert.EndsWith("-source", n, StringComparison.Ordinal));
        Assert.DoesNotContain("building '", evaluated.Stderr + repinned.Stderr + built.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, built.ExitCode);
        Assert.Contains("does not evaluate to a derivation", built.Stderr);
        Assert.Contains(Path.GetFileName(second), StoreContents(buildStore.Path));
    }

    [Fact]
    public async Task The_flake_form_evaluates_impurely_and_history_and_rollback_follow_the_tokens()
    {
        var cache = await PublicCacheAsync("flake");
        var first = await fixture.Nix.BuildChainAsync(1, Guid.NewGuid().ToString("N"));
        var second = await fixture.Nix.BuildChainAsync(1, Guid.NewGuid().ToString("N"));
        (await LarderAsync("push", cache, first, second)).EnsureSuccess();
        (await LarderAsync("pin", "add", cache, "app", first)).EnsureSuccess();
        (await LarderAsync("pin", "add", cache, "app", second)).EnsureSuccess();
        var rolledBack = (await LarderAsync("pin", "set", cache, "app", "--revision", "1")).EnsureSuccess();
        var history = (await LarderAsync("pin", "history", cache, "app")).EnsureSuccess();
        var nix = await ClientOfAsync(cache);
        var flake = $"{_server.Server.BaseUrl}/{cache}/pins/app.tar.gz#app";
        using var store = new TempDirectory("larder-pins-flake");

        var evaluated = await NixPeer.TryRunNixAsync(nix, "nix", "eval", "--impure", "--raw", flake, "--store", store.Path);
        var pure = await NixPeer.TryRunNixAsync(nix, "nix", "eval", "--raw", flake, "--store", store.Path);
        var built = await NixPeer.TryRunNixAsync(nix, "nix", "build", "--impure", flake, "--store", store.Path, "--no-link");

        Assert.Contains($"pin 'app' is revision 3: {first}", rolledBack.Stdout);
        Assert.Contains("#3  ", history.Stdout);
        Assert.Contains("rollback to revision 1", history.Stdout);
        Assert.Equal(3, history.Stdout.Split('\n').Count(l => l.Contains(" by token ", StringComparison.Ordinal)));
        Assert.Equal(first, evaluated.EnsureSuccess().Stdout.Trim());
        Assert.NotEqual(0, pure.ExitCode);
        Assert.Contains("is not a derivation", built.Stderr);
        Assert.Contains(Path.GetFileName(first), StoreContents(store.Path));
    }

    [Fact]
    public async Task Keep_revisions_lets_gc_take_older_revisions_and_keep_forever_survives_size_pressure()
    {
        var cache = await PublicCacheAsync("keep");
        var old = await fixture.Nix.BuildChainAsync(2, Guid.NewGuid().ToString("N"));
        var current = await fixture.Nix.BuildChainAsync(2, Guid.NewGuid().ToString("N"));
        var forever = await fixture.Nix.BuildChainAsync(2, Guid.NewGuid().ToString("N"));
        (await LarderAsync("push", cache, old, "--pin", "app")).EnsureSuccess();
        (await LarderAsync("push", cache, forever, "--pin", "kept")).EnsureSuccess();
        (await LarderAsync("pin", "add", cache, "kept", forever, "--keep-forever")).EnsureSuccess();
        (await LarderAsync("push", cache, current, "--pin", "app")).EnsureSuccess();
        (await LarderAsync("cache", "configure", cache, "--max-size", "1")).EnsureSuccess();

        var gc = (await LarderAsync("cache", "gc", cache)).EnsureSuccess();
        var kept = (await LarderAsync("path-info", cache, forever)).EnsureSuccess();
        var history = (await LarderAsync("pin", "history", cache, "app")).EnsureSuccess();

        var oldClosure = await fixture.Nix.ClosureAsync(old);
        Assert.Contains($"evicted {oldClosure.Length} path(s)", gc.Stdout);
        foreach (var path in oldClosure)
        {
            Assert.NotEqual(0, (await LarderAsync("path-info", cache, path)).ExitCode);
        }
        Assert.Contains("kept: a pin needs it", kept.Stdout);
        Assert.Contains("released ", history.Stdout);
        foreach (var path in (await fixture.Nix.ClosureAsync(current)).Concat(await fixture.Nix.ClosureAsync(forever)))
        {
            (await LarderAsync("path-info", cache, path)).EnsureSuccess();
        }
        var refused = await LarderAsync("path", "delete", cache, forever, "--recursive");
        Assert.Contains("is needed by pin(s) 'kept'", refused.Stderr);
    }

    [Theory]
    [InlineData("pin|add|{cache}|../etc|{path}", "invalid pin name '..")]
    [InlineData("pin|add|{cache}|{long}|{path}", "use 1 to 100 characters")]
    [InlineData("pin|add|{cache}|app|{unpushed}", "push it with its closure first")]
    [InlineData("pin|add|{cache}|app|{path}|--artifact|../../etc/passwd", "invalid artifact '../../etc/passwd'")]
    [InlineData("pin|add|{cache}|app|{path}|--keep-days|3|--keep-forever", "contradict each other")]
    [InlineData("pin|set|{cache}|app|--revision|7", "has no revision 7")]
    [InlineData("pin|history|{cache}|nope", "has no pin named 'nope'")]
    [InlineData("push|{cache}|{path}|{unpushed}|--pin|app", "--pin names one path, but 2 paths are being pushed")]
    [InlineData("reader:pin|add|{cache}|app|{path}", "lacks write permission")]
    public async Task Bad_pin_input_fails_naming_the_problem_and_leaves_the_pins_unchanged(string command, string expected)
    {
        var cache = await PublicCacheAsync("bad");
        var path = await fixture.Nix.BuildChainAsync(1, Guid.NewGuid().ToString("N"));
        var unpushed = await fixture.Nix.BuildChainAsync(1, Guid.NewGuid().ToString("N"));
        (await LarderAsync("push", cache, path)).EnsureSuccess();
        var reader = JsonDocument.Parse((await LarderAsync("token", "create", "-d", "reader", "-c", cache, "-p", "read", "--json")).EnsureSuccess().Stdout)
            .RootElement.GetProperty("secret").GetString()!;
        var asReader = command.StartsWith("reader:", StringComparison.Ordinal);
        var args = command[(asReader ? "reader:".Length : 0)..]
            .Replace("{cache}", cache, StringComparison.Ordinal).Replace("{path}", path, StringComparison.Ordinal)
            .Replace("{unpushed}", unpushed, StringComparison.Ordinal).Replace("{long}", new string('a', 101), StringComparison.Ordinal).Split('|');

        var result = asReader ? await LarderAsAsync(reader, args) : await LarderAsync(args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Contains($"cache '{cache}' has no pins", (await LarderAsync("pin", "list", cache)).EnsureSuccess().Stdout);
    }
}
