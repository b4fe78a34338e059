using Larder.Testing;

namespace Larder.Cli.Tests.Artifact;

/// <summary>
/// The build-artifact cache in real Nix builds: a plain <c>derivation</c> with <c>/bin/sh</c> and the host's make and
/// cc (<c>sandbox = false</c>) compiles <see cref="CProject"/>, restoring and saving <c>build/</c> through
/// <c>nix/build-cache.nix</c> and the real CLI and server.
/// </summary>
public sealed class ArtifactNixBuildTests : IAsyncLifetime
{
    private const string Expression = """
        { buildCache, src, salt, useCache, server ? "", cache ? "", tokenFile ? "", larder ? "", key ? "", fallback ? "" }:
        let
          bc = import buildCache { inherit larder server cache tokenFile; };
          restore = if useCache then bc.restoreCommand { inherit key; fallbacks = if fallback == "" then [ ] else [ fallback ]; } else "";
          save = if useCache then bc.saveCommand { inherit key; dirs = [ "build" ]; } else "";
        in
        derivation {
          name = "artifact-demo";
          system = builtins.currentSystem;
          builder = "/bin/sh";
          PATH = "/usr/bin:/bin";
          inherit salt;
          args = [ "-c" ''
            set -e
            mkdir work && cd work
            cp -r ${src}/. .
            chmod -R u+w .
            ${restore}
            make
            ${save}
            mkdir -p $out
            cp build/prog $out/prog
            ./build/prog > $out/result
          '' ];
        }
        """;

    private readonly ArtifactServer _server = new();
    private NixPeer _nix = null!;
    private string _expression = null!;

    public async Task InitializeAsync()
    {
        _nix = await NixPeer.GetAsync();
        await _server.InitializeAsync();
        _expression = Path.Combine(_server.Root, "build.nix");
        await File.WriteAllTextAsync(_expression, Expression);
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task The_second_build_restores_through_the_fallback_recompiles_one_object_and_both_outputs_equal_cold_builds()
    {
        var salt = Guid.NewGuid().ToString("N");
        var first = WriteSources(-1);
        var second = WriteSources(17);

        var build1 = await BuildAsync(first, salt, key: "demo-main", fallback: "");
        Assert.Contains("no archive under 'demo-main'", build1.Log, StringComparison.Ordinal);
        Assert.Equal(CProject.Modules + 1, CProject.CompiledObjects(build1.Log));
        Assert.Contains("saved artifact 'demo-main'", build1.Log, StringComparison.Ordinal);

        var build2 = await BuildAsync(second, salt, key: "demo-feature", fallback: "demo-main");
        Assert.Contains("restored artifact 'demo-main' (fallback for 'demo-feature')", build2.Log, StringComparison.Ordinal);
        Assert.Contains("changed: src/f17.c", build2.Log, StringComparison.Ordinal);
        Assert.Equal(1, CProject.CompiledObjects(build2.Log));
        Assert.Contains("cc -O1 -c src/f17.c -o build/f17.o", build2.Log, StringComparison.Ordinal);

        Assert.Equal(await NarHashAsync((await ColdBuildAsync(first)).Output), await NarHashAsync(build1.Output));
        Assert.Equal(await NarHashAsync((await ColdBuildAsync(second)).Output), await NarHashAsync(build2.Output));
        await AssertTokenAppearsNowhereAsync(build1.Output, build2.Output);
    }

    [Fact]
    public async Task With_the_server_down_the_build_is_cold_and_succeeds()
    {
        var sources = WriteSources(-1);
        var build = await BuildAsync(sources, Guid.NewGuid().ToString("N"), "demo-down", "", server: $"http://127.0.0.1:{FreePort.Next()}");

        Assert.Contains("cannot reach", build.Log, StringComparison.Ordinal);
        Assert.Contains("building cold", build.Log, StringComparison.Ordinal);
        Assert.Equal(CProject.Modules + 1, CProject.CompiledObjects(build.Log));
        Assert.Equal(await NarHashAsync((await ColdBuildAsync(sources)).Output), await NarHashAsync(build.Output));
    }

    [Fact]
    public async Task A_tampered_archive_is_refused_and_the_build_proceeds_cold()
    {
        var salt = Guid.NewGuid().ToString("N");
        await BuildAsync(WriteSources(-1), salt, "demo-tampered", "");
        _server.TamperWithEveryChunk();

        var sources = WriteSources(3);
        var build = await BuildAsync(sources, salt, "demo-tampered", "");

        Assert.Contains("is corrupt", build.Log, StringComparison.Ordinal);
        Assert.Contains("building cold", build.Log, StringComparison.Ordinal);
        Assert.Equal(CProject.Modules + 1, CProject.CompiledObjects(build.Log));
        Assert.Equal(await NarHashAsync((await ColdBuildAsync(sources)).Output), await NarHashAsync(build.Output));
    }

    private string WriteSources(int variantModule)
    {
        var directory = _server.NewFolder("src");
        CProject.Write(directory, variantModule, variant: 1);
        return directory;
    }

    private Task<Build> BuildAsync(string sources, string salt, string key, string fallback, string? server = null) =>
        RunBuildAsync(
            sources, salt, "--arg", "useCache", "true", "--argstr", "server", server ?? _server.Server.BaseUrl, "--argstr", "cache", _server.Cache,
            "--argstr", "tokenFile", _server.TokenFile, "--argstr", "larder", LarderExecutable.ShellCommand, "--argstr", "key", key,
            "--argstr", "fallback", fallback);

    /// <summary>The same sources built without the cache (another salt, so a fresh output path).</summary>
    private Task<Build> ColdBuildAsync(string sources) => RunBuildAsync(sources, Guid.NewGuid().ToString("N"), "--arg", "useCache", "false");

    private async Task<Build> RunBuildAsync(string sources, string salt, params string[] args)
    {
        var result = await NixPeer.TryRunNixAsync(
            _nix.Environment, "nix-build",
            [_expression, "--no-out-link", "--arg", "buildCache", BuildCacheNix(), "--arg", "src", sources, "--argstr", "salt", salt, .. args]);
        result.EnsureSuccess();
        return new Build(result.Stdout.Trim(), result.Stderr);
    }

    private async Task<string> NarHashAsync(string storePath) =>
        (await _nix.RunNixAsync("nix-store", "--query", "--hash", storePath)).Stdout.Trim();

    /// <summary>The token is in no file of the builds' derivations, their inputs, or their outputs.</summary>
    private async Task AssertTokenAppearsNowhereAsync(params string[] outputs)
    {
        var token = _server.Server.AdminToken;
        var paths = new HashSet<string>(outputs, StringComparer.Ordinal);
        foreach (var output in outputs)
        {
            var drv = await _nix.DeriverOfAsync(output);
            Assert.EndsWith(".drv", drv, StringComparison.Ordinal);
            var closure = (await _nix.RunNixAsync("nix-store", "--query", "--requisites", drv)).Stdout;
            paths.UnionWith(closure.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        Assert.Contains(paths, path => path.EndsWith(".drv", StringComparison.Ordinal));
        foreach (var path in paths)
        {
            var files = Directory.Exists(path) ? Directory.GetFiles(path, "*", SearchOption.AllDirectories) : [path];
            foreach (var file in files)
            {
                Assert.DoesNotContain(token, File.ReadAllText(file), StringComparison.Ordinal);
            }
        }
    }

    private static string BuildCacheNix()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "nix", "build-cache.nix");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("nix/build-cache.nix not found above the test's folder");
    }

    private sealed record Build(string Output, string Log);
}
