using System.Text.Json;
using Larder.Cli.Client;
using Larder.Cli.Config;
using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;
using Larder.Contracts.Push;
using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>The real <c>larder</c> CLI against a real server and the real Nix: push, use, substitute.</summary>
public sealed class PushEndToEndTests(LarderFixture fixture) : IClassFixture<LarderFixture>
{
    private static string Salt() => Guid.NewGuid().ToString("N");

    private async Task<string> BuildAsync(string expressionFile, params string[] args)
    {
        var result = await fixture.Nix.RunNixAsync("nix-build", [expressionFile, "--no-out-link", .. args]);
        return result.Stdout.Trim().Split('\n')[^1];
    }

    private static async Task SubstituteIntoFreshStoreAsync(IReadOnlyDictionary<string, string> environment, string storeDir, string path)
    {
        var result = await NixPeer.TryRunNixAsync(environment, "nix-store", "--store", storeDir, "--realise", path);
        Assert.True(result.ExitCode == 0, $"substitution failed:\n{result.Stderr}");
    }

    [Fact]
    public async Task Pushed_closure_substitutes_into_a_fresh_store_with_the_nix_conf_that_use_wrote()
    {
        var cache = await fixture.CreateCacheAsync("e2e");
        var output = await fixture.Nix.BuildChainAsync(5, Salt());

        var push = await fixture.RunAsync("push", cache, output);
        Assert.True(push.ExitCode == 0, push.Stderr);
        Assert.Contains("pushed 6 paths", push.Stdout);

        var nixConf = fixture.NewNixConf();
        (await fixture.RunAsync("use", cache, "--nix-conf", nixConf)).EnsureSuccess();
        using var store = new TempDirectory("larder-fresh-store");
        await SubstituteIntoFreshStoreAsync(fixture.NixEnvironmentFor(nixConf), store.Path, output);

        var restored = Path.Combine(store.Path, output.TrimStart('/'), "value");
        Assert.Equal("5", File.ReadAllText(restored).Trim());
    }

    [Fact]
    public async Task Second_push_of_the_same_closure_uploads_nothing_after_a_zstd_push()
    {
        var cache = await fixture.CreateCacheAsync("again");
        var output = await fixture.Nix.BuildChainAsync(4, Salt());
        (await fixture.RunAsync("push", cache, output, "--compression", "zstd")).EnsureSuccess();

        var second = await fixture.RunAsync("push", cache, output, "--json");

        Assert.True(second.ExitCode == 0, second.Stderr);
        using var summary = JsonDocument.Parse(second.Stdout);
        Assert.Equal(0, summary.RootElement.GetProperty("pushed").GetInt32());
        Assert.Equal(5, summary.RootElement.GetProperty("alreadyPresent").GetInt32());
    }

    [Fact]
    public async Task Push_reads_paths_from_stdin_and_resolves_result_symlinks()
    {
        var cache = await fixture.CreateCacheAsync("stdin");
        var output = await fixture.Nix.BuildChainAsync(2, Salt());
        var link = Path.Combine(fixture.Root, $"result-{Guid.NewGuid():N}");
        File.CreateSymbolicLink(link, output);

        var push = await fixture.RunWithAsync(null, link + "\n", "push", cache, "-");

        Assert.True(push.ExitCode == 0, push.Stderr);
        Assert.Contains($"pushing {output}", push.Stderr);
        (await fixture.RunAsync("path-info", cache, output)).EnsureSuccess();
    }

    [Fact]
    public async Task No_closure_pushes_only_the_path_and_the_server_refuses_it_without_its_references()
    {
        var cache = await fixture.CreateCacheAsync("noclosure");
        var output = await fixture.Nix.BuildChainAsync(3, Salt());

        var push = await fixture.RunAsync("push", cache, output, "--no-closure");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("lacks references", push.Stderr);
    }

    [Fact]
    public async Task Include_build_deps_pushes_build_time_inputs_that_then_substitute()
    {
        var expression = TestExpressions.Write(fixture.Root, $"build-deps-{Guid.NewGuid():N}.nix", TestExpressions.BuildOnlyDependency);
        var salt = Salt();
        var top = await BuildAsync(expression, "--argstr", "salt", salt, "-A", "top");
        var dep = await BuildAsync(expression, "--argstr", "salt", salt, "-A", "dep");

        var plainCache = await fixture.CreateCacheAsync("runtime");
        (await fixture.RunAsync("push", plainCache, top)).EnsureSuccess();
        Assert.NotEqual(0, (await fixture.RunAsync("path-info", plainCache, dep)).ExitCode);

        var cache = await fixture.CreateCacheAsync("builddeps");
        (await fixture.RunAsync("push", cache, top, "--include-build-deps")).EnsureSuccess();
        (await fixture.RunAsync("path-info", cache, dep)).EnsureSuccess();

        var nixConf = fixture.NewNixConf();
        (await fixture.RunAsync("use", cache, "--nix-conf", nixConf)).EnsureSuccess();
        using var store = new TempDirectory("larder-fresh-store");
        await SubstituteIntoFreshStoreAsync(fixture.NixEnvironmentFor(nixConf), store.Path, dep);
        Assert.Equal("from-dep", File.ReadAllText(Path.Combine(store.Path, dep.TrimStart('/'), "value")).Trim());
    }

    [Fact]
    public async Task Watch_exec_pushes_what_the_command_built_and_keeps_its_exit_code()
    {
        var cache = await fixture.CreateCacheAsync("watchexec");
        var fib = Path.Combine(fixture.Nix.Root, "fib.nix");

        var run = await fixture.RunAsync("watch-exec", cache, "--", "nix-build", fib, "--arg", "n", "3", "--argstr", "salt", Salt(), "--no-out-link");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var output = run.Stdout.Trim().Split('\n').Last(l => l.StartsWith("/nix/store/", StringComparison.Ordinal));
        (await fixture.RunAsync("path-info", cache, output)).EnsureSuccess();

        var failing = await fixture.RunAsync("watch-exec", cache, "--", "/bin/sh", "-c", "exit 7");
        Assert.Equal(7, failing.ExitCode);
    }

    [Fact]
    public async Task A_path_whose_content_no_longer_matches_its_NarHash_is_refused()
    {
        var cache = await fixture.CreateCacheAsync("corrupt");
        var expression = TestExpressions.Write(fixture.Root, $"single-{Guid.NewGuid():N}.nix", TestExpressions.Single);
        var output = await BuildAsync(expression, "--argstr", "salt", Salt());
        // A throwaway salted path: corrupt it in place, as a disk error or a stray write would.
        var file = Path.Combine(output, "value");
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(file, "tampered\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var push = await fixture.RunAsync("push", cache, output);

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"{output} does not match the NarHash", push.Stderr);
        Assert.NotEqual(0, (await fixture.RunAsync("path-info", cache, output)).ExitCode);
    }

    [Fact]
    public async Task Private_cache_with_use_and_its_read_only_netrc_token_substitutes_end_to_end()
    {
        var cache = await fixture.CreateCacheAsync("private", isPublic: false);
        var output = await fixture.Nix.BuildChainAsync(2, Salt());
        (await fixture.RunAsync("push", cache, output)).EnsureSuccess();
        var nixConf = fixture.NewNixConf();
        var netrc = Path.Combine(Path.GetDirectoryName(nixConf)!, "netrc");

        (await fixture.RunAsync("use", cache, "--nix-conf", nixConf, "--netrc", netrc)).EnsureSuccess();

        Assert.Contains($"netrc-file = {netrc}", File.ReadAllText(nixConf));
        Assert.DoesNotContain(fixture.Server.AdminToken, File.ReadAllText(netrc));
        Assert.Contains("machine 127.0.0.1 login larder password larder_", File.ReadAllText(netrc));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(netrc));
        using var store = new TempDirectory("larder-fresh-store");
        await SubstituteIntoFreshStoreAsync(fixture.NixEnvironmentFor(nixConf), store.Path, output);
    }

    [Fact]
    public async Task Large_NAR_goes_up_in_parts_and_substitutes()
    {
        var cache = await fixture.CreateCacheAsync("parts");
        var expression = TestExpressions.Write(fixture.Root, $"big-{Guid.NewGuid():N}.nix", TestExpressions.BigFile);
        var output = await BuildAsync(expression, "--argstr", "salt", Salt(), "--arg", "size", (3 << 20).ToString());

        var push = await fixture.RunAsync("push", cache, output, "--part-size", "1M", "--compression", "zstd");

        Assert.True(push.ExitCode == 0, push.Stderr);
        var nixConf = fixture.NewNixConf();
        (await fixture.RunAsync("use", cache, "--nix-conf", nixConf)).EnsureSuccess();
        using var store = new TempDirectory("larder-fresh-store");
        await SubstituteIntoFreshStoreAsync(fixture.NixEnvironmentFor(nixConf), store.Path, output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "blob")), File.ReadAllBytes(Path.Combine(store.Path, output.TrimStart('/'), "blob")));
    }

    [Fact]
    public async Task Paths_signed_by_an_upstream_key_are_skipped_unless_the_filter_is_ignored()
    {
        var output = await fixture.Nix.BuildChainAsync(2, Salt());
        await fixture.Nix.RunNixAsync("nix", "store", "sign", "--key-file", fixture.Nix.SecretKeyFile, "--recursive", output);
        var keyName = fixture.Nix.PublicKey.Split(':')[0];
        var cache = LarderFixture.NewCacheName("upstream");
        (await fixture.RunAsync("cache", "create", cache, "--public", "--upstream-key", keyName)).EnsureSuccess();

        var filtered = await fixture.RunAsync("push", cache, output, "--json");
        var forced = await fixture.RunAsync("push", cache, output, "--ignore-upstream-filter", "--json");

        Assert.True(filtered.ExitCode == 0, filtered.Stderr);
        using (var summary = JsonDocument.Parse(filtered.Stdout))
        {
            Assert.Equal(3, summary.RootElement.GetProperty("skippedUpstream").GetInt32());
            Assert.Equal(0, summary.RootElement.GetProperty("pushed").GetInt32());
        }
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        using (var summary = JsonDocument.Parse(forced.Stdout))
        {
            Assert.Equal(3, summary.RootElement.GetProperty("pushed").GetInt32());
        }
        var narInfo = (await fixture.RunAsync("path-info", cache, output)).EnsureSuccess().Stdout;
        Assert.Contains($"Sig: {keyName}:", narInfo);
    }

    [Fact]
    public async Task A_path_whose_references_are_signed_upstream_is_pushed_without_them()
    {
        var output = await fixture.Nix.BuildChainAsync(2, Salt());
        var closure = (await fixture.Nix.RunNixAsync("nix-store", "-qR", output)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(p => p != output).ToArray();
        await fixture.Nix.RunNixAsync("nix", ["store", "sign", "--key-file", fixture.Nix.SecretKeyFile, .. closure]);
        var keyName = fixture.Nix.PublicKey.Split(':')[0];
        var cache = LarderFixture.NewCacheName("upstream-deps");
        (await fixture.RunAsync("cache", "create", cache, "--public", "--upstream-key", keyName)).EnsureSuccess();

        var push = await fixture.RunAsync("push", cache, output, "--json");

        Assert.True(push.ExitCode == 0, push.Stderr);
        using (var summary = JsonDocument.Parse(push.Stdout))
        {
            Assert.Equal(closure.Length, summary.RootElement.GetProperty("skippedUpstream").GetInt32());
            Assert.Equal(1, summary.RootElement.GetProperty("pushed").GetInt32());
        }
        var narInfo = (await fixture.RunAsync("path-info", cache, output)).EnsureSuccess().Stdout;
        Assert.Contains(Path.GetFileName(closure[0]), narInfo);
        var dependency = await fixture.RunAsync("path-info", cache, closure[0]);
        Assert.NotEqual(0, dependency.ExitCode);
    }

    [Fact]
    public async Task Upstream_references_are_refused_by_a_cache_without_upstream_keys()
    {
        var output = await fixture.Nix.BuildChainAsync(2, Salt());
        var info = (await new LocalStoreReader().QueryAsync([output], closure: false, CancellationToken.None)).Single();
        var reference = StorePaths.BaseNameOf(info.References.First(r => r != output));
        var cache = await fixture.CreateCacheAsync("no-upstream");
        using var client = new LarderClient(new ServerTarget("local", new Uri(fixture.Server.BaseUrl + "/"), fixture.Server.AdminToken));
        PushPathMetadata Metadata(string upstream) => new(
            info.Path, info.NarHash, info.NarSize, [.. info.References.Select(StorePaths.BaseNameOf)], null, [], null, [upstream]);

        var noKeys = await Assert.ThrowsAsync<CliException>(() =>
            client.CreateUploadAsync(cache, new CreateUploadRequest(Metadata(reference), "none"), CancellationToken.None));
        (await fixture.RunAsync("cache", "configure", cache, "--upstream-key", "upstream-1")).EnsureSuccess();
        var notAReference = await Assert.ThrowsAsync<CliException>(() =>
            client.CreateUploadAsync(cache, new CreateUploadRequest(Metadata("00000000000000000000000000000000-other"), "none"), CancellationToken.None));

        Assert.Contains("400 BadRequest: cache '" + cache + "' has no upstream keys", noKeys.Message, StringComparison.Ordinal);
        Assert.Contains("400 BadRequest: upstream reference '00000000000000000000000000000000-other' is not a reference of", notAReference.Message, StringComparison.Ordinal);
    }
}
